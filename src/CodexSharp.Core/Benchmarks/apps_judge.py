# The APPS judge: runs one sample's program against all of its problem's test cases, in one process, and
# decides each case as APPS's eval/testing_util.py does (Hendrycks et al. 2021). docs/datasets.md (APPS)
# lists every rule. AppsBenchmark appends one line that calls judge_sample() with the sample and its tests.
#
# It runs inside the sandbox worker's forked child, like any program. It ends normally only when every case
# passed; otherwise it raises AppsVerdict, whose text is "APPS-VERDICT " + JSON:
#   {"cases": "PPWT-", "compile": null or "text", "first": case index or -1, "message": "text"}
# with one letter per case: P passed, W wrong answer, E runtime error, T timed out, - not run.

import base64
import builtins
import io
import json
import signal
import sys

# What testing_util puts before every program: these names exist without an import.
PREAMBLE = "\n".join([
    "import sys",
    "import time",
    "import itertools",
    "from itertools import accumulate, product, permutations, combinations",
    "import collections",
    "from collections import Counter, OrderedDict, deque, defaultdict, ChainMap",
    "from functools import lru_cache",
    "import math",
    "from math import sqrt, sin, cos, tan, ceil, fabs, floor, gcd, exp, log, log2",
    "import fractions",
    "from typing import List, Tuple",
    "import numpy as np",
    "import random",
    "import heapq",
    "from heapq import *",
    "",
])

MODULE_NAME = "tmp_sol"  # the module testing_util loads a program as; so `__name__ == "__main__"` is false
TIMER_REPEAT = 0.05      # a program that swallows the time-out is interrupted again every 50 ms
OUTPUT_CAP = 16 << 20    # characters of a case's output kept beyond its expected output's length


class CaseTimedOut(BaseException):
    """Raised in the program when a case runs out of time; a BaseException, so `except Exception` does not keep it."""


class AppsVerdict(Exception):
    pass


class CappedOutput(io.StringIO):
    """stdout during a case: keeps at most `cap` characters, so a runaway print cannot use up memory."""

    def __init__(self, cap):
        super().__init__()
        self.room = cap
        self.overflowed = False

    def write(self, text):
        if len(text) > self.room:
            self.overflowed = True
            text = text[:self.room]
        self.room -= len(text)
        super().write(text)
        return len(text)


def judge_sample(payload):
    spec = json.loads(base64.b64decode(payload).decode("utf-8"))
    tests = json.loads(spec["tests"])
    inputs, outputs = tests["inputs"], tests["outputs"]
    inputs.extend(spec.get("extra_inputs", []))
    outputs.extend(spec.get("extra_outputs", []))
    fn_name = tests.get("fn_name")
    cases = ["-"] * len(inputs)
    verdict = {"cases": "", "compile": None, "first": -1, "message": ""}

    def on_timer(signum, frame):
        raise CaseTimedOut()

    signal.signal(signal.SIGALRM, on_timer)
    signal.signal(signal.SIGPROF, on_timer)
    # The worker's guard turned exit() and quit() off; APPS programs call them, and testing_util lets them end the case.
    builtins.exit = builtins.quit = exit_like_site
    wall, cpu = spec["case_wall_s"], spec.get("case_cpu_s")

    try:
        with case_limits(wall, cpu):
            target = load_program(spec["code"], fn_name)
    except CaseTimedOut:
        target, verdict["compile"] = None, "timed out while loading the program"
    except BaseException as error:  # noqa: B036 - whatever the program raised while loading is its compile error
        target, verdict["compile"] = None, describe(error)

    if target is not None:
        for index in spec["order"]:
            try:
                if fn_name is None:
                    outcome, message = run_standard_input(target, inputs[index], outputs[index], wall, cpu)
                else:
                    outcome, message = run_call_based(target, inputs[index], outputs[index], wall, cpu)
            except CaseTimedOut:  # the timer fired just as the case ended, outside the program
                outcome, message = "T", "timed out"
            cases[index] = outcome
            if outcome != "P" and verdict["first"] < 0:
                verdict["first"], verdict["message"] = index, message
            if outcome == "T":
                break  # one time-out is enough to fail; the rest would only cost a time limit each
    verdict["cases"] = "".join(cases)
    if verdict["compile"] is not None or any(c != "P" for c in cases):
        raise AppsVerdict("APPS-VERDICT " + json.dumps(verdict))


def exit_like_site(code=None):
    raise SystemExit(code)


class case_limits:
    """Arms the case's wall-clock (and, when given, CPU-time) timer; disarms both on the way out."""

    def __init__(self, wall, cpu):
        self.wall, self.cpu = wall, cpu

    def __enter__(self):
        signal.setitimer(signal.ITIMER_REAL, self.wall, TIMER_REPEAT)
        if self.cpu:
            signal.setitimer(signal.ITIMER_PROF, self.cpu, TIMER_REPEAT)

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.setitimer(signal.ITIMER_PROF, 0)
        return False


def load_program(code, fn_name):
    """Runs the program's module level and returns what each case calls: code() or the named function."""
    namespace = {"__name__": MODULE_NAME, "__builtins__": builtins}
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO("")  # module-level reads see an empty input, as testing_util's process has none
    try:
        if fn_name is None:
            exec(compile(PREAMBLE + as_function(code), "<string>", "exec"), namespace)
            target = namespace.get("code")
            if target is None:
                raise NameError("the program has no statement outside imports to run")
            return target
        exec(compile(PREAMBLE + code, "<string>", "exec"), namespace)
        if "class Solution" in code:
            return getattr(namespace["Solution"](), fn_name)
        if fn_name not in namespace:
            raise AttributeError("module '%s' has no attribute '%s'" % (MODULE_NAME, fn_name))
        return namespace[fn_name]
    finally:
        sys.stdin = saved_stdin


def as_function(code):
    """testing_util's rewrite of a standard-input program: every line but a top-level import moves into a
    function code() (indented by a tab), which each case calls; imports before the first such line stay at
    module level, later ones move in too."""
    out, started = [], False
    for line in code.split("\n"):
        is_import = line.startswith("from ") or line.startswith("import ")
        if is_import and not started:
            out.append(line + "\n")
        elif is_import:
            out.append("\t" + line + "\n")
        else:
            if not started:
                out.append("stdin = sys.stdin\nstdout = sys.stdout\ndef code():\n")
                started = True
            out.append("\t" + line + "\n")
    return "".join(out)


def run_standard_input(code, given, expected, wall, cpu):
    text = "\n".join(given) if isinstance(given, list) else given
    if isinstance(expected, list):
        expected = "\n".join(expected)
    lines = iter(text.split("\n"))
    stdin = io.StringIO(text)
    # As testing_util patches them: readline() gives the next line without its newline (StopIteration at
    # the end), readlines() the lines without newlines, read() everything; open() of any file reads the input.
    stdin.readline = lambda *args: next(lines)
    stdin.readlines = lambda *args: text.split("\n")
    stdin.read = lambda *args: text
    captured = CappedOutput(len(expected) + OUTPUT_CAP)
    saved = sys.stdin, sys.stdout, builtins.open
    sys.stdin, sys.stdout = stdin, captured
    builtins.open = lambda *args, **kwargs: io.StringIO(text)
    try:
        with case_limits(wall, cpu):
            try:
                code()
            except SystemExit:
                pass
    except CaseTimedOut:
        return "T", "timed out"
    except BaseException as error:  # noqa: B036 - any error of the program fails this case
        return "E", describe(error)
    finally:
        sys.stdin, sys.stdout, builtins.open = saved
    if captured.overflowed:
        return "W", "wrong answer (output longer than %d characters)" % (len(expected) + OUTPUT_CAP)
    if same_output(captured.getvalue().splitlines(), expected):
        return "P", ""
    return "W", "wrong answer"


def same_output(lines, expected):
    """testing_util's cascade of comparisons, most exact first; the first that holds accepts the output."""
    # 1. The whole output against the whole expected text, both stripped; then with each line stripped too.
    if "\n".join(lines).strip() == expected.strip():
        return True
    if "\n".join(line.strip() for line in lines).strip() == expected.strip():
        return True
    # 2. Line lists: expected split on "\n", empty lines dropped, each stripped; the output's lines as printed,
    #    then without its empty lines.
    wanted = [line.strip() for line in expected.split("\n") if line]
    if lines == wanted:
        return True
    printed = [line for line in lines if line]
    if printed == wanted:
        return True
    # 3. Every line one number: equal counts and numpy.allclose (rtol 1e-5, atol 1e-8).
    try:
        got = [float(line) for line in printed]
        want = [float(line) for line in wanted]
        if len(got) == len(want) and all(close(a, b) for a, b in zip(got, want)):
            return True
    except ValueError:
        pass
    # 4. Lines as sets of words, compared as a set of lines (order of lines and of words, and repeats, ignored);
    #    then the same with every word a number rounded to 3 decimals.
    got_sets = [set(words) for words in (line.split() for line in printed) if words]
    want_sets = [set(line.split()) for line in wanted]
    if {frozenset(s) for s in got_sets} == {frozenset(s) for s in want_sets}:
        return True
    try:
        return ({frozenset(round(float(w), 3) for w in s) for s in got_sets}
                == {frozenset(round(float(w), 3) for w in s) for s in want_sets})
    except (ValueError, OverflowError):
        return False


def close(a, b):
    """numpy.allclose for two floats: |a - b| <= 1e-8 + 1e-5 * |b|; infinities equal themselves, NaN nothing."""
    if a == b:
        return True
    return abs(a - b) <= 1e-8 + 1e-5 * abs(b)


def run_call_based(function, given, expected, wall, cpu):
    # JSON keys are strings; testing_util turns a dict argument's keys (and a dict result's) back into ints.
    try:
        if isinstance(given[0], dict):
            given = [{int(k): v for k, v in given[0].items()}]
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        pass
    try:
        if isinstance(expected, dict):
            expected = [{int(k): v for k, v in expected.items()}]
    except (ValueError, TypeError):
        pass
    try:
        if isinstance(expected[0], dict):
            expected = [{int(k): v for k, v in expected[0].items()}]
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        pass
    saved = sys.stdin, sys.stdout, builtins.open
    sys.stdin, sys.stdout = io.StringIO(""), CappedOutput(OUTPUT_CAP)
    try:
        with case_limits(wall, cpu):
            result = function(*given)
    except CaseTimedOut:
        return "T", "timed out"
    except BaseException as error:  # noqa: B036
        return "E", describe(error)
    finally:
        sys.stdin, sys.stdout, builtins.open = saved
    try:
        if same_result(result, expected):
            return "P", ""
    except BaseException as error:  # noqa: B036 - a result that cannot be compared (e.g. a numpy array) is an error
        return "E", describe(error)
    return "W", "wrong answer"


def same_result(result, expected):
    """testing_util: tuples count as lists; the result may equal the expected value or its first element (the
    tests wrap results in a list), and a list of tuples may equal that element as a list of lists."""
    if isinstance(result, tuple):
        result = list(result)
    if bool(result == expected):
        return True
    if isinstance(expected, list) and expected and bool(result == expected[0]):
        return True
    try:
        if isinstance(result[0], tuple):
            return bool([list(x) for x in result] == expected[0])
    except (TypeError, IndexError, KeyError):
        pass
    return False


def describe(error):
    try:
        text = "%s: %s" % (type(error).__name__, error)
    except BaseException:  # noqa: B036 - a hostile __str__
        text = type(error).__name__
    return text[:500]
