#!/usr/bin/env bash
# Runs the procedural synth job on a real Spark standalone cluster on loopback and checks that it ran distributed:
# a Master and two Workers started from Spark's own classes (the jars in the local Maven repository), executors in
# JVMs of their own (launched by the Workers), the driver in client mode.
#   scripts/spark-standalone.sh [OUT_DIR]      (default target/spark-standalone/store)
# Exits 0 when the store has 64 x 16 pairs, and both Workers' executors (two JVMs, not the driver's) ran tasks.
# On a real cluster use spark-submit with the shaded jar instead (docs/synth.md).
set -euo pipefail
source "$(dirname "$0")/lib/spark-cluster.sh"
OUT=${1:-$WORK/store}
mkdir -p "$WORK"
echo "building and laying out $SPARK_HOME ..."
build_spark_home
trap stop_cluster EXIT
start_cluster 2
echo "cluster up: spark://127.0.0.1:$MASTER_PORT with 2 workers"
rm -rf "$OUT"
driver -Dspark.cores.max=2 org.fspo.synth.job.SynthJob "$ROOT/conf/synth-procedural.yaml" "$OUT" \
  synth.num_users=64 synth.pairs_per_user=16 synth.partitions=4 | tee "$WORK/logs/driver.out"
DRIVER_PID_LINE=$(grep -h "Started daemon\|process name" "$WORK/logs/driver.out" 2>/dev/null || true)

fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$OUT/manifest.json" ] || fail "no manifest.json in $OUT"
tr -d ' \n' < "$OUT/manifest.json" | grep -q '"preferences":1024' || fail "manifest does not count 1024 preferences"
STDERRS=$(ls "$WORK"/worker*/app-*/*/stderr 2>/dev/null || true)
[ "$(echo "$STDERRS" | grep -c stderr)" -ge 2 ] || fail "expected executor logs from both workers, got: $STDERRS"
PIDS_SEEN=""
for log in $STDERRS; do
  pid=$(grep -o "process name: [0-9]*@" "$log" | head -1 | grep -o "[0-9]*")
  tasks=$(grep -c "Finished task" "$log" || true)
  echo "executor $(dirname "$log" | sed "s#$WORK/##"): pid $pid, $tasks tasks finished"
  [ -n "$pid" ] && [ "$tasks" -gt 0 ] || fail "executor $log ran no task"
  PIDS_SEEN="$PIDS_SEEN $pid"
done
[ "$(echo $PIDS_SEEN | tr ' ' '\n' | sort -u | wc -l)" -ge 2 ] || fail "executors did not run in separate JVMs"
echo "OK: store $OUT written by executors in separate JVMs (pids$PIDS_SEEN)"
