"""Writes a synthetic sharded evaluation for the merge benchmark: a problems file of TASKS tasks, and SHARDS shard
results files of ROWS rows in all (rows interleaved task by task as a samples file is; whole tasks per shard),
each with the record and summary `evaluate --shard` writes, plus the file one machine would have written.
Usage: make_shards.py DIR ROWS SHARDS TASKS"""
import hashlib, json, os, sys

out, rows, shards, tasks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
os.makedirs(out, exist_ok=True)
dumps = lambda o: json.dumps(o, ensure_ascii=False, separators=(",", ":"))
sha = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()

problems = os.path.join(out, "problems.jsonl")
with open(problems, "w") as f:
    for t in range(tasks):
        f.write(dumps({"task_id": f"Synth/{t}", "prompt": f"def f{t}(x):\n    \"\"\"Adds {t}.\"\"\"\n",
                       "canonical_solution": f"    return x + {t}\n", "test": f"def check(c):\n    assert c(1) == {t + 1}\n",
                       "entry_point": f"f{t}"}) + "\n")
samples = os.path.join(out, "samples.jsonl")
body = "    # a completion of typical length: a loop, a condition and a return\n    total = 0\n    for item in range(x):\n        if item % 3 == 0:\n            total += item\n"
task_of = [r % tasks for r in range(rows)]  # rows interleaved over the tasks
results = []
with open(samples, "w") as f:
    for r, t in enumerate(task_of):
        row = {"task_id": f"Synth/{t}", "completion": body + f"    return total + {r % 97}\n"}
        f.write(dumps(row) + "\n")
        passed = (r * 2654435761) % 5 < 2
        results.append(dumps({**row, "result": "passed" if passed else "failed: AssertionError", "passed": passed}))
with open(os.path.join(out, "whole.jsonl"), "w") as f:
    f.write("".join(line + "\n" for line in results))

shard_of_task = [t % shards for t in range(tasks)]  # equal tasks: what the balanced plan does with equal costs
plan = hashlib.sha256("".join(f"Synth/{t}\t{shard_of_task[t]}\n" for t in range(tasks)).encode()).hexdigest()
facts = {"path": samples, "sha256": sha(samples), "rows": rows}
problem_facts = {"path": problems, "sha256": sha(problems), "rows": tasks}
for s in range(shards):
    mine = [r for r in range(rows) if shard_of_task[task_of[r]] == s]
    ranges = []
    for r in mine:
        if ranges and ranges[-1][1] == r: ranges[-1][1] = r + 1
        else: ranges.append([r, r + 1])
    path = os.path.join(out, f"results.shard-{s}-of-{shards}.jsonl")
    with open(path, "w") as f:
        f.write("".join(results[r] + "\n" for r in mine))
    stem = path[: -len(".jsonl")]
    record = {"tool": "codexsharp", "version": "bench", "stage": "evaluate", "status": "completed",
              "started_utc": "2026-01-01T00:00:00+00:00", "finished_utc": "2026-01-01T00:10:00+00:00",
              "samples": facts, "problems": problem_facts, "results_path": path, "summary_path": stem + ".summary.json",
              "config": {"samples_path": samples, "problems_path": problems, "results_path": path,
                         "settings": {"ks": [1, 10, 100], "timeout_s": 3, "workers": 2}, "run_info": {"problems_source": "file"}},
              "shard": {"index": s, "count": shards, "source": "--shard", "plan_sha256": plan, "total_rows": rows,
                        "rows": len(mine), "row_ranges": ranges}}
    json.dump(record, open(stem + ".config.json", "w"))
    summary = {"config": {"ks": "1,10,100", "benchmark": "humaneval", "workers": "2", "timeout_s": "3"},
               "duration_seconds": 600, "timeouts": {"count": 0, "seconds": 0}, "reruns": {"enabled": False, "rerun": 0, "changed": 0},
               "tasks": {}}
    json.dump(summary, open(stem + ".summary.json", "w"))
