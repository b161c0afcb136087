#!/usr/bin/env python3
"""How well can ANY model rank a held-out pair from N shots in a procedural setting? (numpy)

    personalization_ceiling.py OUT.json [--relevant 2-3] [--diff 1-3] [--shots 0,1,2,4,8] [--users 400] [--seed 0]

Simulates the procedural generator's distribution (synth-data ProceduralGenerator: 5 attributes, |w| uniform in
[0.5, 1.5] with random signs, a uniform count in --relevant of them mattering, pairs flipping k in --diff attributes,
the first flip one that matters, pairs with a utility gap under 0.5 redrawn) and scores the Bayes rule of a
label-consistency posterior: candidate users are drawn from the prior, kept when every shot's label agrees with
their utility with gap >= 0.5, and the query is ranked by the kept candidates' majority. It ignores what the choice of
flipped attributes reveals (the first flip always matters), so it is a near-ceiling, not an exact one. Writes
{"setting", "accuracy_by_shots": {N: acc}, "users", "queries_per_user", "candidates"} to OUT.json.
"""
import json
import sys

import numpy as np

A = 5


def parse_range(text):
    lo, _, hi = text.partition("-")
    return int(lo), int(hi or lo)


def draw_user(rng, relevant):
    w = rng.uniform(0.5, 1.5, A) * rng.choice([-1.0, 1.0], A)
    m = rng.integers(relevant[0], relevant[1] + 1)
    keep = rng.permutation(A)[:m]
    mask = np.zeros(A, bool)
    mask[keep] = True
    return np.where(mask, w, 0.0)


def draw_pair(rng, w, diff, index):
    """(d, label-oriented): d = chosen - rejected in {-2, 0, 2} per attribute, as the generator labels it."""
    relevant = np.flatnonzero(w != 0)
    first = relevant[index % len(relevant)]
    while True:
        a = rng.choice([-1.0, 1.0], A)
        k = rng.integers(diff[0], diff[1] + 1)
        others = [i for i in rng.permutation(A) if i != first][: k - 1]
        b = a.copy()
        b[[first] + others] *= -1
        gap = w @ (a - b)
        if abs(gap) >= 0.5:
            return (a - b) if gap > 0 else (b - a)


def main(argv):
    out = argv[1]
    opts = dict(zip(argv[2::2], argv[3::2]))
    relevant, diff = parse_range(opts.get("--relevant", "2-3")), parse_range(opts.get("--diff", "1-3"))
    shots = [int(s) for s in opts.get("--shots", "0,1,2,4,8").split(",")]
    users, queries, candidates = int(opts.get("--users", 400)), 4, 20000
    rng = np.random.default_rng(int(opts.get("--seed", 0)))
    prior = np.stack([draw_user(rng, relevant) for _ in range(candidates)])
    correct = {n: 0 for n in shots}
    for _ in range(users):
        w = draw_user(rng, relevant)
        pairs = [draw_pair(rng, w, diff, i) for i in range(max(shots) + queries)]
        for n in shots:
            kept = prior
            if n:
                gaps = prior @ np.stack(pairs[:n]).T  # (candidates, n); every shot needs gap >= 0.5
                kept = prior[(gaps >= 0.5).all(axis=1)]
            for q in pairs[max(shots):]:
                votes = kept @ q  # q is oriented chosen - rejected: a positive vote ranks it right
                correct[n] += (votes > 0).sum() > (votes < 0).sum()
    acc = {str(n): round(correct[n] / (users * queries), 4) for n in shots}
    result = {"setting": {"attributes": A, "relevant": list(relevant), "diff": list(diff)},
              "accuracy_by_shots": acc, "users": users, "queries_per_user": queries, "candidates": candidates}
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
