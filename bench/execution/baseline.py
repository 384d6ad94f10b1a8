"""The baseline: exec() every program of a JSONL file one after another in this one process, no isolation.

Prints the seconds spent and how many programs raised. Reads {"program": ...} rows.
"""
import json
import sys
import time

programs = [json.loads(line)["program"] for line in open(sys.argv[1], encoding="utf-8")]
started = time.perf_counter()
raised = 0
for program in programs:
    try:
        exec(program, {})
    except BaseException:  # noqa: B036 - the baseline only counts
        raised += 1
print(json.dumps({"seconds": time.perf_counter() - started, "programs": len(programs), "raised": raised}))
