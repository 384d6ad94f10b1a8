#!/usr/bin/env bash
# How codexsharp-7m (Codex-S) and codexsharp-7m-docstring (Codex-D) were made, in order. Each training phase is
# resumable: stopping one and running the same command again continues it. Pretraining was stopped by hand
# (SIGTERM) at step 738 of 900, when the machine was needed for sampling; it checkpointed there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
data=../shared/datasets
runs=runs/codexsharp-7m
mkdir -p "$runs"

# The pretraining corpus: 12 pinned Debian packages' Python source, filtered and decontaminated.
corpus/debian-python.sh --out ../corpus-data/debian

# Pretraining: the 7m shape (4 × 128, 512-token context) with a head over the corpus's 8,192 most frequent ids.
./codexsharp train --data ../corpus-data/debian --out "$runs/pre" --preset 7m --head-tokens 8192 --block-size 512 \
  --batch-tokens 16384 --max-steps 900 --lr 2e-3 --checkpoint-every 20 --eval-every 50

# Fine-tuning problems: MBPP train/validation and doctest-traced functions of the same Debian packages.
mkdir -p "$runs/debian-src"
for deb in "${XDG_CACHE_HOME:-$HOME/.cache}"/codexsharp/debian-corpus/*.deb; do dpkg-deb -x "$deb" "$runs/debian-src"; done
./codexsharp corpus functions "$data/mbpp/mbpp.jsonl.gz" "$runs/debian-src" --out "$runs/functions.jsonl" --workers 1 \
  --benchmark "$data/humaneval/HumanEval.jsonl.gz" --benchmark "$data/humanevalplus/HumanEvalPlus.jsonl.gz" \
  --benchmark "$data/mbpp/mbpp.jsonl.gz" --benchmark "$data/mbppplus/MbppPlus.jsonl.gz"

# Codex-S and Codex-D: lr a tenth of pretraining's (read from pre's train.json), early stop on validation loss;
# then the weights stored as float16 (the shipped files).
tune=(--init "local:$runs/pre" --data "$runs/functions.jsonl" --batch-tokens 8192 --max-steps 150 --eval-every 10 --checkpoint-every 10 --patience 3)
./codexsharp finetune "${tune[@]}" --task solve --out "$runs/codex-s"
./codexsharp model convert "local:$runs/codex-s" --out models/codexsharp-7m --dtype f16 --force
./codexsharp finetune "${tune[@]}" --task docstring --out "$runs/codex-d"
./codexsharp model convert "local:$runs/codex-d" --out models/codexsharp-7m-docstring --dtype f16 --force
# For llama.cpp (not shipped: models/ keeps to 40 MB): the same models as GGUF files.
./codexsharp model export default --format gguf --out "$runs/codexsharp-7m.gguf" --dtype q8_0 --force
./codexsharp model export default-docstring --format gguf --out "$runs/codexsharp-7m-docstring.gguf" --dtype q8_0 --force

# The evaluation on the card: n = 100 samples per problem at T = 0.8 and 0.2 from the shipped (float16) weights,
# evaluated, then ranked by back-translation under Codex-D (mean log-probability comes with the samples).
for t in 0.8 0.2; do
  ./codexsharp generate --model default --problems "$data/humaneval/HumanEval.jsonl.gz" --n 100 --temperature "$t" \
    --max-tokens 128 --seed 1 --samples-per-request 100 --concurrency 2 --max-batch-rows 100 --out "$runs/humaneval-t$t.jsonl"
  ./codexsharp evaluate "$runs/humaneval-t$t.jsonl" --problems "$data/humaneval/HumanEval.jsonl.gz" --k 1,10,100
  ./codexsharp rank "$runs/humaneval-t$t.jsonl_results.jsonl" --model default-docstring --method backtranslation \
    --problems "$data/humaneval/HumanEval.jsonl.gz"
done
