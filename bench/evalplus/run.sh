#!/usr/bin/env bash
# HumanEval+ and MBPP+ self-check throughput against plain HumanEval and MBPP, measured in the same run.
# Usage: bench/evalplus/run.sh [--workers N] [--humaneval-only]
#
# Each benchmark's canonical solutions are evaluated with `evaluate --self-check` (N workers, default 2).
# The plus benchmarks run twice: "cold", with an empty cache, so the run includes timing every reference
# solution once; and "warm", with those times cached, as every later run of the same problems file is.
# Ratios are samples/s of the plus benchmark over its plain one (HumanEval+ / HumanEval, MBPP+ / MBPP).
# EvalPlus's own harness (evalplus on PyPI) cannot be installed here, so it is not timed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workers=2
only_humaneval=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --workers) workers="$2"; shift 2 ;;
    --humaneval-only) only_humaneval=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
source "$here/../cli.sh" humanevalplus

# run NAME DATASET PROBLEMS CACHE [FLAGS...] -> one line: name, problems, verdict, samples/s, seconds
run() {
  local name="$1" dataset="$2" problems="$3" cache="$4"; shift 4
  local out="$work/$name.jsonl" verdict="pass"
  CODEXSHARP_CACHE_DIR="$cache" dotnet "$cli" evaluate --self-check --dataset "$dataset" --problems "$problems" \
    --workers "$workers" -o "$out" "$@" > "$work/$name.log" 2>&1 || verdict="FAIL (see below)"
  python3 - "$out" "$name" "$verdict" <<'EOF'
import json, sys
summary = json.load(open(sys.argv[1][:-len(".jsonl")] + ".summary.json"))
c = summary["counts"]
print(f'{sys.argv[2]}\t{summary["problems_evaluated"]}\t{sys.argv[3]}: {c["passed"]}/{summary["samples"]["rows"]} passed\t'
      f'{summary["samples_per_second"]}\t{summary["duration_seconds"]}')
EOF
  [[ "$verdict" == "pass" ]] || tail -5 "$work/$name.log" >&2
}

rate() { awk -F'\t' -v n="$1" '$1 == n { print $4 }' "$work/table"; }

{
  run humaneval humaneval "$data/humaneval/HumanEval.jsonl.gz" "$work/cache"
  run humanevalplus-cold humanevalplus "$data/humanevalplus/HumanEvalPlus.jsonl.gz" "$work/cache-he"
  run humanevalplus-warm humanevalplus "$data/humanevalplus/HumanEvalPlus.jsonl.gz" "$work/cache-he"
  if [[ $only_humaneval -eq 0 ]]; then
    run mbpp mbpp "$data/mbpp/mbpp.jsonl.gz" "$work/cache" --timeout 20
    run mbppplus-cold mbppplus "$data/mbppplus/MbppPlus.jsonl.gz" "$work/cache-mb"
    run mbppplus-warm mbppplus "$data/mbppplus/MbppPlus.jsonl.gz" "$work/cache-mb"
  fi
} | tee "$work/table" | column -t -s $'\t' -N "benchmark,problems,self-check,samples/s,seconds"

echo
for plus in humanevalplus-cold humanevalplus-warm mbppplus-cold mbppplus-warm; do
  base="${plus%plus-*}"
  [[ -n "$(rate "$plus")" && -n "$(rate "$base")" ]] || continue
  awk -v p="$(rate "$plus")" -v b="$(rate "$base")" -v n="$plus" -v m="$base" \
    'BEGIN { printf "%s / %s samples/s: %.3f\n", n, m, p / b }'
done
