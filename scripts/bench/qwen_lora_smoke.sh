#!/usr/bin/env bash
# `fspo train --config conf/qwen-lora.yaml --init DIR` for a few steps on a random Qwen2.5-0.5B-shaped checkpoint
# (scripts/bench/random_checkpoint.py: model_type llama, no qkv bias), with its peak RSS (GNU time) in JSON.
#
#   scripts/bench/qwen_lora_smoke.sh OUT.json [WORK_DIR [--set train.KEY=VALUE ...]]
#
# Arguments after WORK_DIR go to `fspo train` (e.g. --set train.activation_checkpointing=true) and into the JSON.
#
# A tiny imported store (4 users x 6 pairs) feeds sft.steps=2 and fspo.steps=2, one pair per optimizer step. The
# tokenizer is the fixtures' small byte-level BPE (long token sequences: prompts reach max_seq_len 512).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT_JSON="$1"
WORK="${2:-$(mktemp -d)}"
EXTRA=("${@:3}")
CKPT="$WORK/qwen-random"
FIXTURES="${FSPO_HF_FIXTURES:-$ROOT/../shared/fixtures/hf}"
[[ -d "$CKPT" ]] || python3 "$ROOT/scripts/bench/random_checkpoint.py" "$CKPT" "$FIXTURES/tokenizer/tokenizer.json" >&2
python3 - "$WORK/pairs.jsonl" <<'PY'
import json, sys
topics = ["tea", "rain", "music", "books", "cats", "trains"]
with open(sys.argv[1], "w") as f:
    for u in range(4):
        for q, t in enumerate(topics):
            f.write(json.dumps({"user_id": f"user{u}", "prompt": f"What do you think about {t}? Please answer in a "
                                f"few sentences, as a friend would.", "chosen": f"Warm and kind words about {t}, "
                                "with a small story and a question back to you.", "rejected": f"Cold note on {t}."})
                    + "\n")
PY
rm -rf "$WORK/store" "$WORK/run"
"$ROOT/scripts/fspo" import --input "$WORK/pairs.jsonl" --out "$WORK/store" --test-fraction 0 --master 'local[1]' >&2
export FSPO_JAVA_OPTS="${FSPO_JAVA_OPTS:--Xmx1g -Dorg.bytedeco.javacpp.maxbytes=5G -Dorg.bytedeco.javacpp.maxphysicalbytes=6G}"
START=$(date +%s)
/usr/bin/time -v -o "$WORK/time.txt" "$ROOT/scripts/fspo" train --config "$ROOT/conf/qwen-lora.yaml" \
  --episodes "$WORK/store" --init "$CKPT" --out "$WORK/run" --master 'local[1]' --no-progress \
  --set train.sft.steps=2 --set train.fspo.steps=2 --set train.optim.grad_accum=1 "${EXTRA[@]}" >&2
END=$(date +%s)
python3 - "$WORK" "$OUT_JSON" "$((END - START))" "$FSPO_JAVA_OPTS" "${EXTRA[*]}" "$(uptime)" <<'PY'
import json, re, sys
work, out, wall, opts, extra, load = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{work}/time.txt").read()).group(1))
rows = [json.loads(l) for l in open(f"{work}/run/metrics.jsonl")]
keep = ("stage", "step", "loss", "grad_norm", "tokens/s")
json.dump({"model": "random Qwen2.5-0.5B shapes as model_type llama (no qkv bias), 494005120 params, F32",
           "config": ("conf/qwen-lora.yaml + sft.steps=2 fspo.steps=2 grad_accum=1 " + extra).strip(),
           "java_opts": opts, "uptime_after": load.strip(),
           "wall_s": wall, "peak_rss_mb": round(rss_kb / 1024),
           "steps": [{k: r.get(k) for k in keep} for r in rows]}, open(out, "w"), indent=2)
print(open(out).read())
PY
