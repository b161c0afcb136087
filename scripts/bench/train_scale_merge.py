"""Merges scripts/bench/train_scale's per-process JSON lines into OUT.json (called after every row).

Usage: train_scale_merge.py TMP_DIR OUT.json WARMUP STEPS
TMP_DIR holds rows.txt (one "<shape>-<mode>" per finished row) and per row: .fspo/.torch (one JSON line each, or
nothing), .fspo.err/.torch.err (stderr; its last line becomes "error" when a side printed no JSON) and
.load-fspo/.load-torch (`uptime`'s load averages when that side started).
"""
import json
import os
import sys


def side(tmp, key, which):
    """The side's JSON object, or {"error": last stderr line} when it printed none."""
    path = f"{tmp}/{key}.{which}"
    lines = [l for l in open(path).read().splitlines() if l.startswith("{")] if os.path.exists(path) else []
    if lines:
        return json.loads(lines[-1])
    err = [l.strip() for l in open(f"{path}.err").read().splitlines() if l.strip() and not l.startswith("\tat ")]
    useful = [l for l in err if "Error" in l or "Exception" in l or "Killed" in l or "exit" in l] or err or ["no output"]
    return {"error": " | ".join(useful[-2:])[:400]}


def main():
    tmp, out, warmup, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    shapes, load = [], {}
    for key in open(f"{tmp}/rows.txt").read().split():
        f, t = side(tmp, key, "fspo"), side(tmp, key, "torch")
        ok = "error" not in f and "error" not in t
        name, mode = key.rsplit("-", 1)
        row = {"name": name, "mode": mode,
               "params": f.get("params", t.get("params")), "trainable": f.get("trainable", t.get("trainable")),
               "seq_len": f.get("seq_len", t.get("seq_len", 512)),
               "fspo_tokens_per_s": f.get("tokens_per_s"), "torch_tokens_per_s": t.get("tokens_per_s"),
               "ratio": round(f["tokens_per_s"] / t["tokens_per_s"], 3) if ok else None,
               "fspo_peak_rss_mb": f.get("peak_rss_mb"), "torch_peak_rss_mb": t.get("peak_rss_mb"),
               "bar_met": ok and f["tokens_per_s"] >= t["tokens_per_s"] and f["peak_rss_mb"] <= t["peak_rss_mb"],
               "fspo_step_s": f.get("step_s"), "torch_step_s": t.get("step_s"),
               "fspo_cpu_s_per_step": f.get("cpu_s_per_step"), "torch_cpu_s_per_step": t.get("cpu_s_per_step"),
               "fspo_phases_s": f.get("phases_s"), "torch_phases_s": t.get("phases_s"),
               "fspo_step_times_s": f.get("step_times_s"), "torch_step_times_s": t.get("step_times_s"),
               "params_torch": t.get("params"), "trainable_torch": t.get("trainable"),
               "loss_fspo": f.get("loss"), "loss_torch": t.get("loss"),
               "fspo_workspaces_mb": f.get("workspaces_mb"),
               "breakdown": {"fspo": f.get("breakdown"), "torch": t.get("breakdown")}}
        for s, obj in (("fspo", f), ("torch", t)):
            if "error" in obj:
                row[f"{s}_error"] = obj["error"]
                row["error"] = "; ".join(filter(None, [row.get("error"), f"{s}: {obj['error']}"]))
        shapes.append(row)
        for s in ("fspo", "torch"):
            p = f"{tmp}/{key}.load-{s}"
            if os.path.exists(p):
                load[f"{key} {s}"] = open(p).read().strip()
    torch_side = next((side(tmp, k, "torch") for k in open(f"{tmp}/rows.txt").read().split()), {})
    doc = {"shapes": shapes,
           "load": {"note": "uptime load averages (1, 5, 15 min) when each process started; 2-core machine shared "
                            "by several engineers, so wall times are inflated and noisy; cpu_s_per_step is steadier",
                    **load},
           "threads": {"fspo": 2, "torch": torch_side.get("threads")}, "torch_version": torch_side.get("torch"),
           "warmup_steps": warmup, "steps": steps,
           "step": "1 pair (2 x 512 tokens, shared 256-token prompt, 256-token responses); reference log-probs "
                   "computed inside the timed step on both sides (full: frozen model copy; LoRA: adapters off); "
                   "IPO beta 0.01 on summed log-probs; clip 1.0; AdamW lr 5e-5 wd 0; LoRA r16 alpha 32 on "
                   "q,k,v,o,gate,up,down; fspo runs the shared prompt once per pair (prefix sharing), torch the "
                   "conventional 2 full rows; tokens/s counts 1024 tokens per step on both sides"}
    with open(out, "w") as fh:
        json.dump(doc, fh, indent=2)


if __name__ == "__main__":
    main()
