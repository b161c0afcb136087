#!/usr/bin/env bash
# Distributed fspo train on a Spark standalone cluster on loopback (a Master and two Workers, executors in JVMs of
# their own, the driver in client mode) against the single-process trainer:
#   1. a tiny store (fspo import);
#   2. fspo train --set train.distributed.workers=2 on the cluster (two barrier tasks, one per executor JVM);
#   3. the same fspo train on local[1] with 1 worker;
#   4. exits 0 when final/ weights agree within 1e-5 relative, metrics.jsonl rows agree (tokens/s aside), and two
#      executor JVMs (different pids) ran the training tasks.
#   scripts/dist-equality.sh      (work folder target/dist-equality)
set -euo pipefail
export WORK=${WORK:-$(cd "$(dirname "$0")/.." && pwd)/target/dist-equality} MASTER_PORT=${MASTER_PORT:-7391}
source "$(dirname "$0")/lib/dist-cluster.sh"
echo "building and laying out $SPARK_HOME ..."
build_fspo_home
make_store
trap stop_cluster EXIT
start_cluster 2
echo "cluster up: spark://127.0.0.1:$MASTER_PORT with 2 workers"
fail() { echo "FAIL: $*" >&2; exit 1; }
train_on "spark://127.0.0.1:$MASTER_PORT" "$WORK/dist" --set train.fspo.steps=6 --set train.distributed.workers=2 \
  || { tail -5 "$WORK/dist.log"; fail "the distributed run failed"; }
grep -E "^distributed:|^reference log-probs:" "$WORK/dist.log"
train_on 'local[1]' "$WORK/one" --set train.fspo.steps=6 || { tail -5 "$WORK/one.log"; fail "the single run failed"; }
compare "$WORK/one" "$WORK/dist" || fail "the distributed run differs from the single-process one"
executor_pids | while read -r pid tasks log; do echo "executor pid $pid: $tasks tasks finished"; done
[ "$(executor_pids | awk '$2 > 0 {print $1}' | sort -u | grep -c .)" -ge 2 ] || fail "executors did not run in two JVMs"
echo "OK: 2 workers in separate executor JVMs equal the single-process trainer"
