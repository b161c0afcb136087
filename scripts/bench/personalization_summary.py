#!/usr/bin/env python3
"""Summarizes a personalization bench's report.json against the bars of issue 11 (stdlib only).

    personalization_summary.py REPORT_JSON OUT_JSON [--wall-s S] [--load-before L] [--load-after L] [--config F]

OUT_JSON holds: "report" (the absolute path of the report.json summarized), the win rate vs the baseline at 4 shots
with its 95% CI per method, reward accuracy at 0, 4 and 8 shots per method (each report cell copied whole, so fields
another report version adds, e.g. a balanced accuracy, come along), the method ordering of the paper as true/false,
"bars" (one entry per bar: name, value, threshold, pass) and "all_pass". A figure the report lacks is null and its bar
fails. Report fields about well-formed samples, the utility scale, balanced accuracy and shortened prompts are copied
when present.
"""
import json
import os
import sys

WIN_SHOTS = "4"
ACC_SHOTS = ("0", "4", "8")
BUDGET_S = 45 * 60
# top-level report keys copied when a report version has them (issue 11's report additions)
OPTIONAL_KEYS = ("well_formed", "utility", "balanced", "shorten", "truncat", "lost_shots")


def cell(table, method, shots):
    """The report cell table[method][shots], or None."""
    return ((table or {}).get(method) or {}).get(shots)


def value(table, method, shots, field):
    c = cell(table, method, shots)
    return None if c is None else c.get(field)


def greater(a, b, strict=True):
    """a > b (or >=), None when either is missing."""
    if a is None or b is None:
        return None
    return a > b if strict else a >= b


def bar(name, val, threshold, ok):
    return {"name": name, "value": val, "threshold": threshold, "pass": bool(ok)}


def ordering(values, baseline_value):
    """The paper's ordering on one metric: values maps method to its figure; the baseline (population) has
    baseline_value (0.5 for win rates against it)."""
    fspo, cot, pref, oracle = (values.get(m) for m in ("fspo", "fspo_cot", "pref_ft", "oracle"))
    others = [v for m, v in values.items() if m != "oracle"]
    return {
        "fspo_gt_pref_ft": greater(fspo, pref),
        "fspo_gt_population": greater(fspo, baseline_value),
        "cot_ge_fspo": greater(cot, fspo, strict=False),
        "oracle_on_top": None if oracle is None or None in others
        else all(oracle >= v for v in others + [baseline_value]),
    }


def summarize(report, report_path, wall_s=None, load_before=None, load_after=None, config=None):
    acc = report.get("reward_accuracy") or {}
    win = report.get("win_rate") or {}
    baseline = report.get("win_rate_baseline") or "population"  # null when win rates were off
    methods = sorted(set(acc) | set(win) | {baseline})
    out = {
        "report": os.path.abspath(report_path),
        "config": config,
        "wall_s": wall_s,
        "load_before": load_before,
        "load_after": load_after,
        "win_rate_baseline": baseline,
        "win_rate_4": {m: cell(win, m, WIN_SHOTS) for m in methods if m != baseline},
        "reward_accuracy": {m: {s: cell(acc, m, s) for s in ACC_SHOTS} for m in methods},
    }
    for key, val in report.items():
        if any(part in key for part in OPTIONAL_KEYS):
            out[key] = val

    win4 = {m: value(win, m, WIN_SHOTS, "win_rate") for m in methods if m != baseline}
    acc4 = {m: value(acc, m, "4", "accuracy") for m in methods if m != baseline}
    out["ordering"] = dict(ordering(win4, 0.5), metric="win rate at 4 shots vs " + baseline + " (point estimates)")
    out["ordering_reward_accuracy_4"] = dict(ordering(acc4, value(acc, baseline, "4", "accuracy")),
                                             metric="reward accuracy at 4 shots (point estimates)")

    fspo_win, fspo_low = value(win, "fspo", WIN_SHOTS, "win_rate"), value(win, "fspo", WIN_SHOTS, "ci_low")
    n, users = value(win, "fspo", WIN_SHOTS, "n"), value(win, "fspo", WIN_SHOTS, "n_users")
    a0, a4, a8 = (value(acc, "fspo", s, "accuracy") for s in ACC_SHOTS)
    gain4 = None if a0 is None or a4 is None else round(a4 - a0, 6)
    gain8 = None if a0 is None or a8 is None else round(a8 - a0, 6)
    per_user = None if not n or not users else n / users
    bars = [
        bar("fspo win rate at 4 shots >= 0.75", fspo_win, 0.75, fspo_win is not None and fspo_win >= 0.75),
        bar("fspo win-rate 95% CI low > 0.5", fspo_low, 0.5, fspo_low is not None and fspo_low > 0.5),
        bar("win-rate queries per user >= 4", per_user, 4, per_user is not None and per_user >= 4),
        bar("fspo reward accuracy at 4 shots >= 0.85", a4, 0.85, a4 is not None and a4 >= 0.85),
        bar("fspo reward accuracy at 8 shots >= 0.90", a8, 0.90, a8 is not None and a8 >= 0.90),
        bar("fspo reward accuracy 4 shots - 0 shots >= 0.20", gain4, 0.20, gain4 is not None and gain4 >= 0.20),
        bar("fspo reward accuracy 8 shots - 0 shots >= 0.20", gain8, 0.20, gain8 is not None and gain8 >= 0.20),
    ]
    for key, val in out["ordering"].items():
        if key != "metric":
            bar_name = "ordering (win rate at 4 shots): " + key
            bars.append(bar(bar_name, val, True, val is True))
    if wall_s is not None:
        bars.append(bar("pipeline wall time <= 45 min", wall_s, BUDGET_S, wall_s <= BUDGET_S))
    out["bars"] = bars
    out["all_pass"] = all(b["pass"] for b in bars)
    return out


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: personalization_summary.py REPORT_JSON OUT_JSON [--wall-s S] [--load-before L] "
                 "[--load-after L] [--config F]")
    report_path, out_path = argv[1], argv[2]
    opts = dict(zip(argv[3::2], argv[4::2]))
    try:
        with open(report_path) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write(f"{report_path}: cannot read the report ({e}); run the pipeline first\n")
        sys.exit(66)
    wall = opts.get("--wall-s")
    summary = summarize(report, report_path, None if wall is None else int(wall), opts.get("--load-before"),
                        opts.get("--load-after"), opts.get("--config"))
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    os.replace(tmp, out_path)


if __name__ == "__main__":
    main(sys.argv)
