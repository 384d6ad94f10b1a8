#!/usr/bin/env bash
# Submits a sharded run to Slurm in one command: an array of N shards, and the merge as a job that starts when
# every shard has succeeded (--dependency=afterok). Prints the two job ids.
#   deploy/slurm/submit.sh evaluate SAMPLES RESULTS N [evaluate flags...]
#   deploy/slurm/submit.sh generate MODEL SAMPLES N [generate flags...]
# sbatch options (partition, account, time, cpus) come from SBATCH_* variables, e.g. SBATCH_PARTITION=cpu.
# CODEXSHARP says how the nodes start the command line; by default this repository's ./codexsharp, built here first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
usage() { sed -n '2,7p' "${BASH_SOURCE[0]}" >&2; exit 2; }
[[ $# -ge 4 ]] || usage
stage="$1" input="$2" out="$3" shards="$4"
shift 4
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: N must be a whole number of shards, not '$shards'" >&2; exit 2; }
if [[ -z "${CODEXSHARP:-}" ]]; then
  "$here/../../codexsharp" --help >/dev/null # build once here, not in every array task at the same time
  export CODEXSHARP="$here/../../codexsharp"
fi
case "$stage" in
  evaluate) array=$(sbatch --parsable --array=0-$((shards - 1)) "$here/evaluate.sbatch" "$input" "$out" "$shards" "$@") ;;
  generate) array=$(sbatch --parsable --array=0-$((shards - 1)) "$here/generate.sbatch" "$input" "$out" "$shards" "$@") ;;
  *) usage ;;
esac
array="${array%%;*}"
merge=$(sbatch --parsable --dependency=afterok:"$array" "$here/merge.sbatch" "$out" "$shards")
merge="${merge%%;*}"
echo "array job $array ($shards shards), merge job $merge (after every shard succeeds) -> $out"
