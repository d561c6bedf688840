#!/usr/bin/env bash
# examples/cluster/submit.sh: submit a sharded custody-sim run or sweep to
# SLURM: a job array of shards, then a merge job that waits for all of it.
#
#   examples/cluster/submit.sh run         [extra sbatch options...]
#   examples/cluster/submit.sh sweep       [extra sbatch options...]
#   examples/cluster/submit.sh sensitivity [extra sbatch options...]
#
# For example, 10,000 replications of a scenario in 50 tasks:
#
#   CUSTODY_SIM=$HOME/bin/custody-sim SCENARIO=my-scenario.toml \
#   REPLICATIONS=10000 SEED=1 SHARDS=50 OUT_DIR=/scratch/$USER/my-run \
#   PARTITION=short examples/cluster/submit.sh run --account=myproject
#
# and a 3x2 sweep, 2,000 replications per cell, in 30 tasks:
#
#   VARY='court.stage[trial].servers=15,30,60 custody.mortality_per_year=0.005,0.01' \
#   REPLICATIONS=2000 SEED=1 SHARDS=30 OUT_DIR=/scratch/$USER/sweep \
#   examples/cluster/submit.sh sweep
#
# and a Sobol design of the scenario's [uncertainty] (N = 1,024) in 50 tasks:
#
#   METRICS='median_days_to_verdict' SAMPLES=1024 SHARDS=50 \
#   OUT_DIR=/scratch/$USER/drivers examples/cluster/submit.sh sensitivity
#
# The result is OUT_DIR/result.json; job logs are in OUT_DIR/logs. Follow
# the jobs with `squeue --me`.
#
# Settings (environment variables; see run.sbatch and sweep.sbatch):
#   CUSTODY_SIM, SCENARIO, REPLICATIONS, SEED, SET, VARY (sweep), METRICS,
#   PARAMS, METHOD, SAMPLES, ... (sensitivity, see sensitivity.sbatch), and CSV
#   and PLOTS (merge.sbatch) as there, and
#   OUT_DIR    the output folder, on a shared file system; must not hold
#              shards of an earlier submission          [./custody-sim-out]
#   SHARDS     n, the number of array tasks                              [10]
#   PARTITION  the partition to submit to              [the cluster's default]
# Extra arguments go to both sbatch calls (e.g. --account=..., --qos=...,
# --time=..., --cpus-per-task=...).
set -euo pipefail

usage() {
  echo "usage: $0 run|sweep|sensitivity [extra sbatch options...]" >&2
  exit 2
}
[ $# -ge 1 ] || usage
mode=$1
shift
case $mode in
  run | sweep | sensitivity) ;;
  *) usage ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

export CUSTODY_SIM=${CUSTODY_SIM:-custody-sim}
export SCENARIO=${SCENARIO:-baseline}
export SHARDS=${SHARDS:-10}
OUT_DIR=${OUT_DIR:-custody-sim-out}
if [ "$mode" = sweep ] && [ -z "${VARY:-}" ]; then
  echo "$0: a sweep needs VARY, e.g. VARY='court.stage[trial].servers=15,30,60'" >&2
  exit 2
fi
if [ "$mode" = sensitivity ] && [ -z "${METRICS:-}" ]; then
  echo "$0: a sensitivity design needs METRICS, e.g. METRICS='median_days_to_verdict'" >&2
  exit 2
fi
if [ "$mode" = run ] && [ -n "${REPLICATIONS:-}" ] && [ "$SHARDS" -gt "$REPLICATIONS" ]; then
  echo "$0: SHARDS=$SHARDS is more than REPLICATIONS=$REPLICATIONS" >&2
  exit 2
fi

# The jobs start in this folder, but absolute paths are clearer in logs
# and survive a cd in your own job scripts.
mkdir -p "$OUT_DIR/shards" "$OUT_DIR/logs"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
export OUT_DIR
if [ -f "$SCENARIO" ]; then
  SCENARIO=$(cd "$(dirname "$SCENARIO")" && pwd)/$(basename "$SCENARIO")
fi
case $CUSTODY_SIM in
  */*) CUSTODY_SIM=$(cd "$(dirname "$CUSTODY_SIM")" && pwd)/$(basename "$CUSTODY_SIM") ;;
esac

# Stale shards would be merged with the new ones (and the merge would
# refuse them): start from an empty shards folder.
if [ -n "$(ls -A "$OUT_DIR/shards")" ]; then
  echo "$0: $OUT_DIR/shards is not empty; choose another OUT_DIR or empty it" >&2
  exit 1
fi

opts=(--export=ALL)
[ -z "${PARTITION:-}" ] || opts+=(--partition="$PARTITION")

# The array: tasks 0..SHARDS-1, one log file per task. --parsable prints
# "jobid" or "jobid;cluster".
jid=$(sbatch --parsable "${opts[@]}" --array="0-$((SHARDS - 1))" \
  --output="$OUT_DIR/logs/%x-%A_%a.out" "$@" "$here/$mode.sbatch")
jid=${jid%%;*}
echo "array job: $jid ($SHARDS tasks of $here/$mode.sbatch)"

# The merge: starts once every task of the array has ended successfully
# (afterok on an array id waits for all its tasks); cancelled, rather than
# left pending forever, if one failed.
mid=$(sbatch --parsable "${opts[@]}" --dependency="afterok:$jid" --kill-on-invalid-dep=yes \
  --output="$OUT_DIR/logs/%x-%j.out" "$@" "$here/merge.sbatch")
mid=${mid%%;*}
echo "merge job: $mid (writes $OUT_DIR/result.json)"
