"""The baseline: exec() every program of a JSONL file one after another in this one process, no isolation.

Prints the seconds spent and how many programs raised. Reads {"program": ...} rows.
With --spawn-floor N it instead spawns /bin/true N times: the floor that any fresh-process-per-program
design pays on this machine.
"""
import json
import os
import sys
import time

if sys.argv[1] == "--spawn-floor":
    # The cheapest fresh process there is: posix_spawn of /bin/true, waited for, N times.
    count = int(sys.argv[2])
    started = time.perf_counter()
    for _ in range(count):
        os.waitpid(os.posix_spawn("/bin/true", ["true"], {}), 0)
    print(json.dumps({"seconds": time.perf_counter() - started, "programs": count, "raised": 0}))
    sys.exit(0)

programs = [json.loads(line)["program"] for line in open(sys.argv[1], encoding="utf-8")]
started = time.perf_counter()
raised = 0
for program in programs:
    try:
        exec(program, {})
    except BaseException:  # noqa: B036 - the baseline only counts
        raised += 1
print(json.dumps({"seconds": time.perf_counter() - started, "programs": len(programs), "raised": raised}))
