# Shared by scripts/dist-equality.sh and scripts/dist-kill.sh (source it; bash only): a Spark home holding every jar
# fspo train needs (jars of the compiled classes, no `mvn install`), a tiny episode store, the tiny training config,
# and a row-for-row comparison of two runs. The cluster itself comes from scripts/lib/spark-cluster.sh.
source "$(dirname "${BASH_SOURCE[0]}")/spark-cluster.sh"

# build_fspo_home: compiles fspo-eval and its modules, links their dependency jars and jars of their classes.
build_fspo_home() {
  mkdir -p "$WORK"
  (cd "$ROOT" && mvn -B -o -q -pl fspo-eval -am compile dependency:build-classpath \
    -Dmdep.outputFile="$WORK/classpath.txt") >/dev/null
  rm -rf "$SPARK_HOME" && mkdir -p "$SPARK_HOME/jars" "$SPARK_HOME/conf"
  tr ':' '\n' < "$WORK/classpath.txt" | grep '\.jar$' | while read -r jar; do ln -sf "$jar" "$SPARK_HOME/jars/"; done
  for m in fspo-core synth-data fspo-train fspo-eval; do
    (cd "$ROOT/$m/target/classes" && jar cf "$SPARK_HOME/jars/$m-local.jar" .)
  done
  printf 'rootLogger.level = warn\nrootLogger.appenderRef.stdout.ref = console\nappender.console.type = Console\nappender.console.name = console\nappender.console.target = SYSTEM_ERR\nappender.console.layout.type = PatternLayout\nappender.console.layout.pattern = %%d{HH:mm:ss} %%p %%c{1}: %%m%%n\n' \
    > "$SPARK_HOME/conf/fspo-log4j2.properties"
  sed 's/^rootLogger.level = warn/rootLogger.level = info/' "$SPARK_HOME/conf/fspo-log4j2.properties" \
    > "$SPARK_HOME/conf/fspo-log4j2-daemon.properties"
}

fspo() { spark_java -Xmx1g org.fspo.cli.Fspo "$@"; }

# make_store: 6 users x 4 questions imported into $WORK/store.
make_store() {
  python3 - "$WORK/pairs.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for u in range(6):
        for q in range(4):
            f.write(json.dumps({"user_id": f"u{u}", "prompt": f"Tell me about topic {q}", "chosen": f"a warm answer {q}",
                                "rejected": f"a cold answer {q}"}) + "\n")
PY
  rm -rf "$WORK/store"
  fspo import --master 'local[1]' --input "$WORK/pairs.jsonl" --out "$WORK/store" --test-fraction 0 >/dev/null
}

# train_on MASTER OUT [--set ...]: fspo train with the tiny config; stderr to OUT.log
train_on() {
  local master=$1 out=$2; shift 2
  rm -rf "$out"
  spark_java -Xmx1g -Dspark.cores.max=2 -Dspark.executor.memory=900m -Dspark.executor.cores=1 \
    -Dspark.executor.extraJavaOptions=-Dlog4j2.configurationFile="$SPARK_HOME/conf/fspo-log4j2-daemon.properties" \
    org.fspo.cli.Fspo train --master "$master" --episodes "$WORK/store" --out "$out" --no-progress \
    --set train.model.d_model=32 --set train.model.layers=1 --set train.model.heads=2 \
    --set train.model.max_seq_len=128 --set train.data.shots=1 --set train.sft.epochs=0 --set train.sft.steps=4 \
    --set train.fspo.epochs=0 --set train.optim.batch_pairs=5 --set train.checkpoint.every_steps=2 \
    --set train.distributed.hash_every=1 "$@" 2>"$out.log"
}

# compare RUN_A RUN_B: final/ weights within 1e-5 relative, metrics rows equal (tokens/s aside) within 1e-5
compare() {
  python3 - "$1" "$2" <<'PY'
import json, struct, sys
import numpy as np
def tensors(run):
    raw = open(f"{run}/final/model.safetensors", "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == "__metadata__": continue
        a, b = v["data_offsets"]
        out[k] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=np.float32)
    return out
a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
assert a.keys() == b.keys(), "different tensors"
worst = max(float(np.max(np.abs(a[k] - b[k]) / np.maximum(1, np.abs(a[k])))) for k in a)
ra = [json.loads(l) for l in open(f"{sys.argv[1]}/metrics.jsonl")]
rb = [json.loads(l) for l in open(f"{sys.argv[2]}/metrics.jsonl")]
keys = [(r["stage"], r["step"]) for r in rb]
assert len(keys) == len(set(keys)), "a (stage, step) row appears twice"
assert [(r["stage"], r["step"]) for r in ra] == keys, "different metrics rows"
mworst = max(abs(x[k] - y[k]) / max(0.1, abs(x[k])) for x, y in zip(ra, rb) for k in x
             if k != "tokens/s" and isinstance(x[k], float))
print(f"{len(a)} tensors, max relative weight difference {worst:.3g}; {len(ra)} metrics rows, same (stage, step), "
      f"max relative metric difference {mworst:.3g}")
sys.exit(0 if worst <= 1e-5 and mworst <= 1e-5 else 1)
PY
}

# executor_pids: "pid tasks" for each executor JVM of the cluster (from the executors' own logs)
executor_pids() {
  for log in $(ls "$WORK"/worker*/app-*/*/stderr 2>/dev/null); do
    pid=$(grep -o "process name: [0-9]*@" "$log" | head -1 | grep -o "[0-9]*" || true)
    echo "$pid $(grep -c "Finished task" "$log" || true) $log"
  done
}
