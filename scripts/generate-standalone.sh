#!/usr/bin/env bash
# Runs `fspo generate` on a real Spark standalone cluster on loopback (a Master and two Workers, executors in JVMs of
# their own, the driver in client mode) and checks it against the same job in one local process:
#   1. a tiny store (fspo import) and a tiny run (fspo train), both in the driver JVM;
#   2. fspo generate --split train --shots 1 on the cluster, then the same job on local[2];
#   3. exits 0 when the cluster answered every row, both outputs hold the same rows (responses and quarantine, read
#      back and compared row for row), and executors in two separate JVMs ran generation tasks.
#   scripts/generate-standalone.sh      (work folder target/spark-standalone-generate)
set -euo pipefail
export WORK=${WORK:-$(cd "$(dirname "$0")/.." && pwd)/target/spark-standalone-generate}
source "$(dirname "$0")/lib/spark-cluster.sh"
mkdir -p "$WORK"
echo "building fspo-eval and laying out $SPARK_HOME ..."
(cd "$ROOT" && { mvn -B -o -q -pl fspo-eval -am install -DskipTests || mvn -B -q -pl fspo-eval -am install -DskipTests; } \
  && mvn -B -o -q -pl fspo-eval dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt") >/dev/null
rm -rf "$SPARK_HOME" && mkdir -p "$SPARK_HOME/jars" "$SPARK_HOME/conf"
tr ':' '\n' < "$WORK/classpath.txt" | grep '\.jar$' | while read -r jar; do ln -sf "$jar" "$SPARK_HOME/jars/"; done
for m in fspo-core synth-data fspo-train fspo-eval; do ln -sf "$ROOT"/$m/target/$m-*SNAPSHOT.jar "$SPARK_HOME/jars/"; done
printf 'rootLogger.level = warn\nrootLogger.appenderRef.stdout.ref = console\nappender.console.type = Console\nappender.console.name = console\nappender.console.target = SYSTEM_ERR\nappender.console.layout.type = PatternLayout\nappender.console.layout.pattern = %%d{HH:mm:ss} %%p %%c{1}: %%m%%n\n' \
  > "$SPARK_HOME/conf/fspo-log4j2.properties"
sed 's/^rootLogger.level = warn/rootLogger.level = info/' "$SPARK_HOME/conf/fspo-log4j2.properties" \
  > "$SPARK_HOME/conf/fspo-log4j2-daemon.properties"
fspo() { spark_java -Xmx1g org.fspo.cli.Fspo "$@"; }

python3 - "$WORK/pairs.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for u in range(6):
        for q in range(4):
            f.write(json.dumps({"user_id": f"u{u}", "prompt": f"Tell me about topic {q}", "chosen": f"a warm answer {q}",
                                "rejected": f"a cold answer {q}"}) + "\n")
PY
rm -rf "$WORK/store" "$WORK/run" "$WORK/cluster-out" "$WORK/local-out"
fspo import --master 'local[1]' --input "$WORK/pairs.jsonl" --out "$WORK/store" --test-fraction 0 >/dev/null
fspo train --master 'local[1]' --episodes "$WORK/store" --out "$WORK/run" --no-progress \
  --set train.model.d_model=32 --set train.model.layers=1 --set train.model.heads=2 --set train.model.max_seq_len=128 \
  --set train.data.shots=1 --set train.sft.epochs=0 --set train.sft.steps=2 --set train.fspo.epochs=0 \
  --set train.fspo.steps=2 >/dev/null 2>&1

trap stop_cluster EXIT
start_cluster 2
echo "cluster up: spark://127.0.0.1:$MASTER_PORT with 2 workers"
GEN=(generate --run "$WORK/run" --episodes "$WORK/store" --split train --shots 1 --max-tokens 8 --partitions 4)
# executors log at INFO (their pid and finished tasks), which the check below reads
spark_java -Xmx1g -Dspark.cores.max=2 -Dspark.executor.memory=900m \
  -Dspark.executor.extraJavaOptions=-Dlog4j2.configurationFile="$SPARK_HOME/conf/fspo-log4j2-daemon.properties" \
  org.fspo.cli.Fspo "${GEN[@]}" \
  --master "spark://127.0.0.1:$MASTER_PORT" --out "$WORK/cluster-out" | tee "$WORK/logs/driver.out"
fspo "${GEN[@]}" --master 'local[2]' --out "$WORK/local-out" | tee -a "$WORK/logs/driver.out"

fail() { echo "FAIL: $*" >&2; exit 1; }
grep -q "24 rows -> 24 responses + 0 quarantined" "$WORK/logs/driver.out" || fail "the cluster run did not answer all 24 rows"
# the two outputs row for row (created_at and the chunk column aside), read back with Spark in one local JVM
cat > "$WORK/CompareOutputs.java" <<'JAVA'
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

public class CompareOutputs {
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[1]").appName("compare").getOrCreate();
    for (String table : new String[] {"responses", "quarantine"}) {
      List<Row> a = spark.read().parquet(args[0] + "/" + table).drop("created_at", "chunk").orderBy("row_id").collectAsList();
      List<Row> b = spark.read().parquet(args[1] + "/" + table).drop("created_at", "chunk").orderBy("row_id").collectAsList();
      if (!a.equals(b)) { System.out.println("DIFFER " + table); System.exit(1); }
      System.out.println(table + ": " + a.size() + " rows, identical");
    }
    spark.stop();
  }
}
JAVA
spark_java "$WORK/CompareOutputs.java" "$WORK/cluster-out" "$WORK/local-out" 2>/dev/null >"$WORK/logs/compare.out" || true
cat "$WORK/logs/compare.out"
grep -q "responses: 24 rows, identical" "$WORK/logs/compare.out" || fail "cluster and local outputs differ"
STDERRS=$(ls "$WORK"/worker*/app-*/*/stderr 2>/dev/null || true)
PIDS_SEEN=""
for log in $STDERRS; do
  pid=$(grep -o "process name: [0-9]*@" "$log" | head -1 | grep -o "[0-9]*" || true)
  tasks=$(grep -c "Finished task" "$log" || true)
  echo "executor $(dirname "$log" | sed "s#$WORK/##"): pid $pid, $tasks tasks finished"
  [ -n "$pid" ] && [ "$tasks" -gt 0 ] && PIDS_SEEN="$PIDS_SEEN $pid"
done
[ "$(echo $PIDS_SEEN | tr ' ' '\n' | sort -u | grep -c .)" -ge 2 ] || fail "executors did not run in two separate JVMs"
echo "OK: fspo generate ran on executors in separate JVMs (pids$PIDS_SEEN) and matches the local run"
