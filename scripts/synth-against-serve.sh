#!/usr/bin/env bash
# fspo synth's LLM stages against fspo serve: a real model server on loopback instead of WireMock or a fake.
#   1. a tiny store (fspo import) and a tiny run trained on it (fspo train: d_model 32, 1 layer, 512 positions);
#   2. fspo serve on that run (port chosen by the OS), its model id read from its "serving ... at URL" line;
#   3. fspo synth with conf/elix.yaml's pipeline (its templates and traits), 8 users, every model name set to the served
#      model id, max_tokens 24, and base_url pointing at the server; the LLM cache goes to a fresh folder;
#   4. checks, and exits 0 only when all hold: every stage's items in = out + quarantined (the store's manifest); the
#      quarantine table's rows = the stages' quarantined sum = the manifest's quarantine count, every quarantined row
#      has a reason, and something was produced (rows in the store or the quarantine); the server is still healthy
#      after the run; then stops the server with SIGTERM. The reasons, with one detail each, are printed: a reason
#      like invalid_output (the server answered, with text that is not the stage's JSON) and not an outage shows the
#      calls reached the model.
# The model's text is noise at this size, so the structured stages (persona JSON first) quarantine their items as
# unparseable and synth exits 65 ("wrote no preferences") after writing the store and its quarantine: that is the
# expected outcome here; the check is the accounting, not the text. Prints the stage counts and the reasons.
#   scripts/synth-against-serve.sh        (work folder target/synth-against-serve; about 2-4 minutes on 2 cores)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$ROOT/target/synth-against-serve}
FSPO="$ROOT/scripts/fspo"
export FSPO_JAVA_OPTS="${FSPO_JAVA_OPTS:--Xmx1g}"
rm -rf "$WORK" && mkdir -p "$WORK"
"$FSPO" --version >/dev/null # builds once, before anything runs in the background

python3 - "$WORK/pairs.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for u in range(4):
        for q in range(4):
            f.write(json.dumps({"user_id": f"u{u}", "prompt": f"Explain topic {q} to me", "chosen":
                                f"a short clear explanation of topic {q}", "rejected": f"a long formal text {q}"}) + "\n")
PY
echo "1. tiny store and run ..."
"$FSPO" import --master 'local[1]' --input "$WORK/pairs.jsonl" --out "$WORK/store" --test-fraction 0 >/dev/null 2>&1
"$FSPO" train --master 'local[1]' --episodes "$WORK/store" --out "$WORK/run" --no-progress \
  --set train.model.d_model=32 --set train.model.layers=1 --set train.model.heads=2 --set train.model.max_seq_len=512 \
  --set train.data.shots=1 --set train.sft.epochs=0 --set train.sft.steps=2 --set train.fspo.epochs=0 \
  --set train.fspo.steps=2 >"$WORK/train.log" 2>&1

echo "2. fspo serve ..."
"$FSPO" serve --master 'local[1]' --run "$WORK/run" --port 0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  grep -q '^serving ' "$WORK/serve.out" && break
  kill -0 "$SERVER" 2>/dev/null || { echo "fspo serve exited:" >&2; tail -5 "$WORK/serve.err" >&2; exit 1; }
  sleep 1
done
read -r MODEL URL < <(sed -n 's/^serving \(.*\) at \(http[^ ]*\).*/\1 \2/p' "$WORK/serve.out")
[[ -n "${URL:-}" ]] || { echo "fspo serve did not come up in 300 s" >&2; exit 1; }
echo "   $MODEL at $URL"

echo "3. fspo synth against it ..."
cat >"$WORK/synth.yaml" <<YAML
synth:
  generator: llm
  domain: elix
  seed: 42
  num_users: 8
  pairs_per_user: 24
  test_fraction: 0.25
  llm:
    base_url: $URL
    request_timeout_ms: 60000
    global_concurrency: 8
    max_attempts: 2
    json_schema: true
    cache: true
  pipeline:
    traits:
      education: [elementary, high_school, university, phd]
      expertise: [novice, expert]
    global_questions: 2
    questions_per_trait_value: 1
    seed_questions: ["Why is the sky blue?"]
    questions_per_user: 2
    views_per_question: 3
    generators: [{model: "$MODEL", temperature: 0.8}, {model: "$MODEL", temperature: 1.1}]
    judge: {model: "$MODEL", temperature: 0.0}
    persona_model: {model: "$MODEL", temperature: 0.9}
    templates: $ROOT/conf/templates/elix
    max_tokens: 24
    cache_dir: $WORK/llm-cache
YAML
set +e
"$FSPO" synth --master 'local[2]' --config "$WORK/synth.yaml" --out "$WORK/synth-store" >"$WORK/synth.out" 2>"$WORK/synth.err"
code=$?
set -e
echo "   fspo synth exit code $code (65 = no preferences: expected with a noise model)"
grep -E '^  [a-z_]+ +in ' "$WORK/synth.out" || true
if [[ $code -ne 0 && $code -ne 65 ]]; then tail -5 "$WORK/synth.err" >&2; exit 1; fi

echo "4. checks ..."
health=$(curl -s "${URL%/v1}/health")
echo "   server health after the run: $health"
[[ "$health" == *'"ok"'* ]] || { echo "server not healthy after the run" >&2; exit 1; }
OPENS="$(sed -n 's:.*<fspo.jvm.opens>\(.*\)</fspo.jvm.opens>.*:\1:p' "$ROOT/pom.xml")"
# The quarantine's rows by stage and reason, read back with Spark (a one-file Java program on fspo's classpath).
cat >"$WORK/QuarantineReasons.java" <<'JAVA'
import org.apache.spark.sql.SparkSession;
public class QuarantineReasons {
  public static void main(String[] a) {
    SparkSession s = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
    s.sparkContext().setLogLevel("ERROR");
    var q = s.read().parquet(a[0]);
    System.out.println("rows " + q.count() + " without_reason " + q.filter("reason is null or reason = ''").count());
    for (var r : q.groupBy("stage", "reason").agg(org.apache.spark.sql.functions.count("*"),
        org.apache.spark.sql.functions.first("detail")).orderBy("stage", "reason").collectAsList()) {
      String detail = String.valueOf(r.get(3)).replaceAll("\\s+", " ");
      System.out.println("reason " + r.get(0) + " " + r.get(1) + " " + r.get(2) + "  e.g. "
          + detail.substring(0, Math.min(160, detail.length())));
    }
    s.stop();
  }
}
JAVA
# shellcheck disable=SC2086
java $OPENS -Xmx1g -cp "$ROOT/fspo-eval/target/classes:$(cat "$ROOT/fspo-eval/target/classpath.txt")" \
  "$WORK/QuarantineReasons.java" "$WORK/synth-store/quarantine" 2>/dev/null >"$WORK/quarantine.txt"
sed 's/^/   /' "$WORK/quarantine.txt"
python3 - "$WORK/synth-store/manifest.json" "$WORK/quarantine.txt" "$WORK/serve.err" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
stages = m["stats"]["stages"]
lines = open(sys.argv[2]).read().split()
rows, without = int(lines[1]), int(lines[3])
ok = True
for name, c in stages.items():
    adds = c["in"] == c["out"] + c["quarantined"]
    ok &= adds
    print(f"   {name:10s} in {c['in']:4d} = out {c['out']:4d} + quarantined {c['quarantined']:4d}  {'ok' if adds else 'DOES NOT ADD UP'}")
quarantined = sum(c["quarantined"] for c in stages.values())
print(f"   store: {m['counts']}; quarantine rows {rows} (stages' quarantined sum {quarantined}), without a reason {without}")
ok &= rows == quarantined == m["counts"].get("quarantine", 0) and without == 0 and rows + m["counts"].get("preferences", 0) > 0
print("   PASS" if ok else "   FAIL")
sys.exit(0 if ok else 1)
PY
kill -TERM "$SERVER"; wait "$SERVER" || true
trap - EXIT
