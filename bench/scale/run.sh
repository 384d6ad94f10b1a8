#!/usr/bin/env bash
# Scale figures for docs/scale.md, each against a baseline timed in the same run.
# Usage: bench/scale/run.sh [--rows 200000] [--shards 100] [--tasks 1000] [--skip-evaluate]
#
# 1. merge: a synthetic evaluation of ROWS rows split into SHARDS shard results files (make_shards.py: whole
#    tasks per shard, rows interleaved as in a samples file, each shard with its record and summary) is merged by
#    `codexsharp merge`; the baseline is `cat` of the same shard files (the bytes read and written, no ordering, no
#    checks). Prints both times, the ratio, merge's peak resident memory, and whether the merge equals the
#    one-machine file byte for byte.
# 2. evaluate: samples/s per core on real completions: the first 10 CodeGen-16B samples of each HumanEval task
#    (1,640 programs, with their real timeouts), `evaluate --workers 1` and `--workers 2`, and 4 shards of one core
#    each run one after another and merged (what 4 array tasks cost in CPU).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rows=200000 shards=100 tasks=1000 evaluate=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows) rows="$2"; shift 2 ;;
    --shards) shards="$2"; shift 2 ;;
    --tasks) tasks="$2"; shift 2 ;;
    --skip-evaluate) evaluate=0; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
source "$here/../cli.sh" humaneval
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

# seconds and peak KiB of a command: "S KB"
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }; cat "$work/time"; }

python3 "$here/make_shards.py" "$work/merge" "$rows" "$shards" "$tasks"
files=()
for ((i = 0; i < shards; i++)); do files+=("$work/merge/results.shard-$i-of-$shards.jsonl"); done
read -r cat_s cat_kb < <(timed sh -c 'cat "$@" > "$0"' "$work/merge/cat.jsonl" "${files[@]}")
read -r merge_s merge_kb < <(timed dotnet "$cli" merge "${files[@]}" -o "$work/merge/merged.jsonl" --no-report)
equal=no; cmp -s "$work/merge/merged.jsonl" "$work/merge/whole.jsonl" && equal=yes
size=$(du -m "$work/merge/whole.jsonl" | cut -f1)
echo "merge: $shards shards, $rows rows ($size MB): codexsharp merge ${merge_s} s, peak ${merge_kb} KiB; cat of the shards ${cat_s} s; merge/cat = $(python3 -c "print(f'{$merge_s / max($cat_s, 0.01):.1f}')"); byte-equal to one machine: $equal"

if [[ $evaluate -eq 1 ]]; then
  python3 - "$data/humaneval-samples-codet-codegen16b/codegen16B_samples_humaneval_format.jsonl.gz" "$work/real.jsonl" <<'PY'
import gzip, json, sys, collections
seen = collections.Counter()
with gzip.open(sys.argv[1], "rt") as f, open(sys.argv[2], "w") as out:
    for line in f:
        row = json.loads(line)
        if seen[row["task_id"]] < 10:
            seen[row["task_id"]] += 1
            out.write(line)
PY
  problems="$data/humaneval/HumanEval.jsonl.gz"
  for w in 1 2; do
    read -r s _ < <(timed dotnet "$cli" evaluate "$work/real.jsonl" --problems "$problems" -o "$work/w$w.jsonl" --workers "$w" --no-report)
    echo "evaluate: 1,640 CodeGen-16B samples, --workers $w: $s s, $(python3 -c "print(f'{1640 / $s:.1f}')") samples/s, $(python3 -c "print(f'{1640 / $s / $w:.1f}')") samples/s per worker"
  done
  total=0
  for i in 0 1 2 3; do
    read -r s _ < <(timed dotnet "$cli" evaluate "$work/real.jsonl" --problems "$problems" -o "$work/sharded.jsonl" --workers 1 --shard "$i/4" --no-report)
    total=$(python3 -c "print($total + $s)")
  done
  read -r ms _ < <(timed dotnet "$cli" merge "$work"/sharded.shard-*-of-4.jsonl -o "$work/sharded.jsonl" --no-report)
  equal=no; cmp -s "$work/sharded.jsonl" "$work/w1.jsonl" && equal=yes
  echo "evaluate: the same in 4 one-worker shards run one after another: $total s in all (+ merge $ms s); byte-equal to --workers 1: $equal"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
