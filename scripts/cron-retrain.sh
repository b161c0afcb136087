#!/usr/bin/env bash
# Periodic retraining for a cron entry on a cluster edge node. One run:
#   1. takes a lock (flock) so runs never overlap; a run that finds the lock held exits 75 (EX_TEMPFAIL);
#   2. brings in new data: `fspo synth` (a fresh seed per run) or `fspo import --input FILE...`;
#   3. trains, starting from the last promoted checkpoint (--init) when there is one, else from scratch;
#   4. evaluates the candidate on the FIXED held-out set (the test split of the first data this state ever saw),
#      gated against the promoted model's report on that same set;
#   5. promotes (atomically repoints STATE/promoted) only if held-out accuracy is not worse.
# Every run's log is kept in STATE/logs/; STATE/history.tsv gets one line per run.
#
# Usage: scripts/cron-retrain.sh --config FILE --state DIR [--import FILE]... [--set KEY=VALUE]...
# crontab example (daily at 03:00):
#   0 3 * * * /opt/fspo/scripts/cron-retrain.sh --config /opt/fspo/conf/demo.yaml --state /var/lib/fspo
#
# STATE layout:
#   retrain.lock          the flock file
#   logs/retrain-TS.log   full output of each run (kept)
#   history.tsv           ts, outcome, candidate accuracy, incumbent accuracy, run dir
#   data/TS/              the store each run brought in
#   heldout -> data/TS0   the fixed held-out store (first run's data; its test split is what eval reads)
#   runs/TS/              each candidate's run folder (train output); runs/TS/report/ its eval report
#   promoted -> runs/TS   the promoted run
# Environment: FSPO (the launcher, default: scripts/fspo next to this script).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
FSPO="${FSPO:-$HERE/fspo}"
CONFIG="" STATE="" IMPORTS=() SETS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --config) CONFIG="$2"; shift 2 ;;
    --state) STATE="$2"; shift 2 ;;
    --import) IMPORTS+=("$2"); shift 2 ;;
    --set) SETS+=(--set "$2"); shift 2 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "cron-retrain: unknown argument '$1'; see --help" >&2; exit 64 ;;
  esac
done
if [ -z "$CONFIG" ] || [ -z "$STATE" ]; then
  echo "cron-retrain: --config FILE and --state DIR are required; see --help" >&2
  exit 64
fi
[ -f "$CONFIG" ] || { echo "cron-retrain: config $CONFIG not found" >&2; exit 66; }

mkdir -p "$STATE/logs" "$STATE/data" "$STATE/runs"
exec 9>"$STATE/retrain.lock"
if ! flock -n 9; then
  echo "cron-retrain: another run holds $STATE/retrain.lock; skipping this one" >&2
  exit 75
fi

TS="$(date -u +%Y%m%dT%H%M%SZ)"
while [ -e "$STATE/runs/$TS" ] || [ -e "$STATE/data/$TS" ]; do TS="${TS%Z}x"; TS="${TS}Z"; done
LOG="$STATE/logs/retrain-$TS.log"
exec > >(tee -a "$LOG") 2>&1
echo "cron-retrain $TS: config=$CONFIG state=$STATE"

DATA="$STATE/data/$TS"
RUN="$STATE/runs/$TS"
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$TS" "$1" "${2:--}" "${3:--}" "$RUN" >> "$STATE/history.tsv"; }
trap 'rc=$?; if [ $rc -ne 0 ]; then record "failed(rc=$rc)"; echo "cron-retrain $TS: FAILED (rc=$rc); log: $LOG"; fi' EXIT

# 2. new data
if [ ${#IMPORTS[@]} -gt 0 ]; then
  "$FSPO" import --input "${IMPORTS[@]}" --out "$DATA"
else
  RUNS_SO_FAR=$(find "$STATE/data" -mindepth 1 -maxdepth 1 -type d | wc -l)
  "$FSPO" synth --config "$CONFIG" --out "$DATA" --set "synth.seed=$((1000 + RUNS_SO_FAR))" ${SETS[@]+"${SETS[@]}"}
fi
if [ ! -e "$STATE/heldout" ]; then
  ln -s "data/$TS" "$STATE/heldout"
  echo "cron-retrain: fixed held-out set is now $STATE/heldout -> data/$TS"
fi

# 3. train, resuming from the promoted checkpoint
INIT=()
if [ -e "$STATE/promoted" ]; then
  INIT=(--init "$STATE/promoted/final")
  echo "cron-retrain: training from the promoted checkpoint $(readlink "$STATE/promoted")"
fi
"$FSPO" train --config "$CONFIG" --episodes "$DATA" --out "$RUN" ${INIT[@]+"${INIT[@]}"} ${SETS[@]+"${SETS[@]}"}

# 4. evaluate on the fixed held-out set, gated against the incumbent's report (a missing one means "no incumbent")
"$FSPO" eval --config "$CONFIG" --run "$RUN" --episodes "$STATE/heldout" --out "$RUN/report" --methods fspo \
  --gate "$STATE/promoted/report/report.json" ${SETS[@]+"${SETS[@]}"}

# 5. promote only if not worse (gate.json is one line: {"promote":true|false,"candidate":x,"incumbent":y,...})
GATE_LINE="$(cat "$RUN/report/gate.json")"
CAND="$(sed -n 's/.*"candidate":\([^,}]*\).*/\1/p' <<<"$GATE_LINE")"
INC="$(sed -n 's/.*"incumbent":\([^,}]*\).*/\1/p' <<<"$GATE_LINE")"
if grep -q '"promote":true' <<<"$GATE_LINE"; then
  ln -sfn "runs/$TS" "$STATE/promoted.new"
  mv -T "$STATE/promoted.new" "$STATE/promoted"
  record promoted "$CAND" "$INC"
  echo "cron-retrain $TS: PROMOTED (held-out accuracy $CAND vs incumbent $INC)"
else
  record kept "$CAND" "$INC"
  echo "cron-retrain $TS: NOT promoted (held-out accuracy $CAND is worse than incumbent $INC); keeping $(readlink "$STATE/promoted")"
fi
