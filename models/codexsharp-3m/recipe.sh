#!/usr/bin/env bash
# How codexsharp-3m (Codex-S) and codexsharp-3m-docstring (Codex-D) were made, in order. Each training phase
# is resumable: stopping one and running the same command again continues it. The three pretraining phases
# were stopped by hand (SIGTERM) when the shared machine was needed, at the steps the model card gives; each
# next phase starts from the last one's checkpoint with --init.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
data=../shared/datasets
runs=runs/codexsharp-3m
mkdir -p "$runs"

# The pretraining corpus: 12 pinned Debian packages' Python source, filtered and decontaminated.
corpus/debian-python.sh --out ../corpus-data/debian

# Pretraining, in three phases (stopped after 105, 64 and 150 steps).
flags=(--data ../corpus-data/debian --block-size 256 --batch-tokens 4096 --lr 2e-3 --checkpoint-every 10)
./codexsharp train "${flags[@]}" --out "$runs/pre1" --preset tiny --max-steps 300 --eval-every 15 --max-minutes 55
./codexsharp train "${flags[@]}" --out "$runs/pre2" --init "local:$runs/pre1" --max-steps 900 --eval-every 50 --max-minutes 100
./codexsharp train "${flags[@]}" --out "$runs/pre3" --init "local:$runs/pre2" --max-steps 250 --eval-every 25

# Fine-tuning problems: MBPP train/validation and doctest-traced functions of the same Debian packages.
mkdir -p "$runs/debian-src"
for deb in "${XDG_CACHE_HOME:-$HOME/.cache}"/codexsharp/debian-corpus/*.deb; do dpkg-deb -x "$deb" "$runs/debian-src"; done
./codexsharp corpus functions "$data/mbpp/mbpp.jsonl.gz" "$runs/debian-src" --out "$runs/functions.jsonl" --workers 1 \
  --benchmark "$data/humaneval/HumanEval.jsonl.gz" --benchmark "$data/humanevalplus/HumanEvalPlus.jsonl.gz" \
  --benchmark "$data/mbpp/mbpp.jsonl.gz" --benchmark "$data/mbppplus/MbppPlus.jsonl.gz"

# Codex-S and Codex-D (learning rate: a tenth of pretraining's, read from pre3's train.json).
tune=(--init "local:$runs/pre3" --data "$runs/functions.jsonl" --batch-tokens 4096 --max-steps 40 --eval-every 5 --checkpoint-every 5 --patience 3)
./codexsharp finetune "${tune[@]}" --task solve --out "$runs/codex-s"
./codexsharp finetune "${tune[@]}" --task docstring --out "$runs/codex-d"

# The evaluation on the card: n samples per problem at T = 0.2 and 0.8, then evaluate and rank.
for t in 0.8 0.2; do
  ./codexsharp generate --model "local:$runs/codex-s" --problems "$data/humaneval/HumanEval.jsonl.gz" --n 20 --temperature "$t" \
    --max-tokens 128 --seed 1 --samples-per-request 20 --concurrency 4 --out "$runs/humaneval-t$t.jsonl"
  ./codexsharp evaluate "$runs/humaneval-t$t.jsonl" --problems "$data/humaneval/HumanEval.jsonl.gz" --k 1,10
done
./codexsharp rank "$runs/humaneval-t0.8.jsonl_results.jsonl" --model "local:$runs/codex-d" --method backtranslation \
  --problems "$data/humaneval/HumanEval.jsonl.gz"
