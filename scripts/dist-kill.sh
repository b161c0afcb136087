#!/usr/bin/env bash
# A lost executor in the middle of distributed fspo train, on a Spark standalone cluster on loopback (a Master and
# two Workers, executors in JVMs of their own):
#   1. an uninterrupted run with train.distributed.workers=2 (run a);
#   2. the same run again (run b); once rank 0 has written its first stage-2 checkpoint, one executor JVM is killed
#      with kill -9 by its pid. Spark fails the barrier stage, its Worker starts a new executor, and the retried stage
#      resumes from the newest checkpoint in the shared run folder;
#   3. exits 0 when run b finished, its final/ weights equal run a's (within 1e-5 relative; resume is exact, so 0 is
#      expected) and its metrics.jsonl holds every (stage, step) once, with run a's values.
#   scripts/dist-kill.sh      (work folder target/dist-kill)
set -euo pipefail
export WORK=${WORK:-$(cd "$(dirname "$0")/.." && pwd)/target/dist-kill} MASTER_PORT=${MASTER_PORT:-7392}
source "$(dirname "$0")/lib/dist-cluster.sh"
STEPS=${STEPS:-40}
echo "building and laying out $SPARK_HOME ..."
build_fspo_home
make_store
trap stop_cluster EXIT
start_cluster 2
echo "cluster up: spark://127.0.0.1:$MASTER_PORT with 2 workers"
fail() { echo "FAIL: $*" >&2; exit 1; }
DIST=(--set train.fspo.steps=$STEPS --set train.distributed.workers=2)
train_on "spark://127.0.0.1:$MASTER_PORT" "$WORK/a" "${DIST[@]}" || { tail -5 "$WORK/a.log"; fail "run a failed"; }
echo "run a (uninterrupted): done"
apps_before=$(ls -d "$WORK"/worker*/app-* | xargs -n1 basename | sort -u)
train_on "spark://127.0.0.1:$MASTER_PORT" "$WORK/b" "${DIST[@]}" &
driver=$!
# on any exit, end run b's driver JVM (a child of the background shell) by its pid, then the cluster
trap 'for p in $(ps -o pid= --ppid "$driver" 2>/dev/null); do kill "$p" 2>/dev/null || true; done; stop_cluster' EXIT
victim=""
for _ in $(seq 1 18000); do # up to 30 minutes: a loaded machine starts slowly
  if ls "$WORK/b/checkpoints" 2>/dev/null | grep -q fspo; then
    app=$(ls -d "$WORK"/worker*/app-* | xargs -n1 basename | sort -u | grep -vxF "$apps_before" | head -1)
    victim=$(grep -ho "process name: [0-9]*@" "$WORK"/worker1/"$app"/*/stderr | head -1 | grep -o "[0-9]*")
    break
  fi
  kill -0 "$driver" 2>/dev/null || break
  sleep 0.1
done
[ -n "$victim" ] || fail "run b ended before a stage-2 checkpoint appeared"
echo "run b: checkpoints $(ls "$WORK/b/checkpoints" | tr '\n' ' ')at the kill; fspo rows so far: $(grep -c '"fspo"' "$WORK/b/metrics.jsonl" || true)"
kill -9 "$victim"
echo "killed executor JVM pid $victim (kill -9)"
wait "$driver" || { tail -20 "$WORK/b.log"; fail "run b did not finish after the kill"; }
grep -hE "Lost executor|ExecutorLostFailure|Resubmitting|barrier" "$WORK/b.log" | head -5 || true
for log in "$WORK"/worker*/"$app"/*/stderr; do
  echo "executor $(echo "$log" | sed "s#$WORK/##"): pid $(grep -o "process name: [0-9]*@" "$log" | head -1 | grep -o "[0-9]*")"
done
compare "$WORK/a" "$WORK/b" || fail "run b differs from the uninterrupted run"
echo "OK: an executor killed mid-run; the job finished with the uninterrupted run's weights and metrics"
