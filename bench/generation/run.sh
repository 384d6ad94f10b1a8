#!/usr/bin/env bash
# What `codexsharp generate` costs on top of the model: the same completions requests sent by a bare Python
# HTTP client (baseline.py) and by `generate` (resumable journal, retries, stop truncation, progress), both
# against `codexsharp serve` over a small random model on loopback, timed in the same run. Prints both times
# and the ratio of seconds per token, generate / baseline (the target is about 1: the server's sampling should
# dominate). Per token, because the random model stops at a stop sequence after different lengths for
# different seeds.
#
#   bench/generation/run.sh [LIMIT] [N] [MAX_TOKENS] [CONCURRENCY]
# Defaults: the first 8 HumanEval problems, n = 4 (one request per problem), 32 tokens, 4 requests at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
problems="$root/../shared/datasets/humaneval/HumanEval.jsonl.gz"
limit="${1:-8}" n="${2:-4}" max_tokens="${3:-32}" concurrency="${4:-4}"
out="$(mktemp -d /tmp/codexsharp-genbench-XXXXXX)"
server=""
trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null; rm -rf "$out"' EXIT

"$root/codexsharp" model init --preset tiny --out "$out/tiny" --seed 1 > /dev/null
"$root/codexsharp" serve --model "local:$out/tiny" --port 0 > "$out/serve.log" 2>&1 &
server=$!
for _ in $(seq 600); do grep -q '^serving ' "$out/serve.log" 2>/dev/null && break; sleep 0.1; done
read -r _ model _ url < <(grep -m1 '^serving ' "$out/serve.log")

run_generate() {
  rm -f "$out/samples.jsonl" "$out/samples.config.json"
  "$root/codexsharp" generate --model "openai:$model@$url" --problems "$problems" --limit "$limit" --n "$n" \
    --samples-per-request "$n" --max-tokens "$max_tokens" --concurrency "$concurrency" --temperature 0.8 --seed 1 \
    --out "$out/samples.jsonl" > /dev/null 2>&1
}
run_baseline() { /usr/bin/python3 "$root/bench/generation/baseline.py" "$url" "$model" "$problems" "$limit" "$n" "$max_tokens" "$concurrency" > "$out/baseline.tokens"; }

run_baseline # warm the server (first batches, allocator) before timing either side
best() { # command: best of 3 wall-clock seconds
  local best_s=""
  for _ in 1 2 3; do
    local start end
    start=$(date +%s.%N); "$1"; end=$(date +%s.%N)
    best_s=$(echo "$start $end ${best_s:-inf}" | awk '{ d = $2 - $1; b = ($3 == "inf" || d < $3) ? d : $3; printf "%.3f", b }')
  done
  echo "$best_s"
}
baseline_s=$(best run_baseline)
generate_s=$(best run_generate)
rows=$(wc -l < "$out/samples.jsonl")
generate_tokens=$(/usr/bin/python3 -c 'import json,sys; print(sum(len(json.loads(l)["logprobs"]) for l in open(sys.argv[1])))' "$out/samples.jsonl")
baseline_tokens=$(cat "$out/baseline.tokens")
echo "completions: $((limit * n)) per run ($rows written by generate), at most $max_tokens tokens, concurrency $concurrency"
echo "baseline (bare HTTP client): ${baseline_s} s, $baseline_tokens tokens"
echo "codexsharp generate:         ${generate_s} s, $generate_tokens tokens kept before the stop (process start-up included)"
echo "ratio of seconds per token, generate / baseline: $(echo "$generate_s $generate_tokens $baseline_s $baseline_tokens" | awk '{ printf "%.2f", ($1 / $2) / ($3 / $4) }')"
