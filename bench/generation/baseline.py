"""Bare HTTP client: the same /v1/completions requests `codexsharp generate` makes, with the same concurrency.

Usage: baseline.py BASE_URL MODEL PROBLEMS_JSONL_GZ LIMIT N MAX_TOKENS CONCURRENCY
Prints the number of tokens received (the length of each choice's logprobs.tokens).
"""
import gzip
import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

base, model, problems, limit, n, max_tokens, concurrency = sys.argv[1:8]
with gzip.open(problems, "rt") as f:
    prompts = [json.loads(line)["prompt"] for line in f if line.strip()][: int(limit)]


def complete(prompt):
    body = {
        "model": model, "prompt": prompt, "n": int(n), "max_tokens": int(max_tokens), "temperature": 0.8,
        "top_p": 0.95, "stop": ["\nclass", "\ndef", "\n#", "\nif", "\nprint"], "seed": 1, "logprobs": 1,
    }
    request = urllib.request.Request(base + "/completions", json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return sum(len(c["logprobs"]["tokens"]) for c in json.loads(response.read())["choices"])


with ThreadPoolExecutor(int(concurrency)) as pool:
    print(sum(pool.map(complete, prompts)))
