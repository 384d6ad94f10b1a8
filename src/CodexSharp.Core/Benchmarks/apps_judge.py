# The APPS judge: runs one sample's program against all of its problem's test cases and decides each case as
# APPS's eval/testing_util.py does (Hendrycks et al. 2021). docs/datasets.md (APPS) lists every rule.
#
# The file has two parts. The runner (everything above the judge's heading, far below) loads the program and runs
# one case at a time; it never sees an expected output. The judge decides each case from what the runner gives
# back. AppsJudge runs them one of two ways:
#   apart (the default)  the sample's process runs the runner alone, with the program in APPS_CODE (base64 of its
#                        UTF-8); the judge's process runs the whole file and calls the runner's apps_* functions
#                        through __sample__ (see sandbox_worker.py). Only a case's input goes to the program and
#                        only its output (or result) comes back, as plain data, so nothing the program does can
#                        reach the comparison, the expected outputs or the verdict.
#   in-process           (--tests-in-sample-process) one process runs the whole file with the program in the
#                        payload, as APPS does: the program shares the judge's memory.
# Either way AppsJudge appends one line that calls judge_sample() with the tests (and, in-process, the program).
#
# judge_sample ends normally only when every case passed; otherwise it raises AppsVerdict, whose text is
# "APPS-VERDICT " + JSON:
#   {"cases": "PPWT-", "compile": null or "text", "first": case index or -1, "message": "text"}
# with one letter per case: P passed, W wrong answer, E runtime error, T timed out, - not run.

import base64
import builtins
import decimal
import fractions
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
OUTPUT_CAP = 16 << 20    # characters of a case's output kept beyond its expected output's length (in-process)
# Judged apart, the program's process may not learn an expected output, not even its length (a program could read
# its output's cap and print that many characters), so a case's output is capped at this fixed size instead: the
# same as in-process for every expected output of up to OUTPUT_CAP characters.
APART_OUTPUT_CAP = 2 * OUTPUT_CAP
# Judged apart, the seconds the judge waits for a case beyond its limit: the runner's own timer ends the case
# first, and answering takes a little longer still for a large output; a program that ignores or blocks its
# timer is timed out here.
CALL_SLACK = 1.0


class CaseTimedOut(BaseException):
    """Raised in the program when a case runs out of time; a BaseException, so `except Exception` does not keep it."""


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


loaded = None  # what each case calls, once apps_load ran the program: code() or the named function


def apps_load(fn_name, wall, cpu, code=None):
    """Runs the program's module level within a case's limits: ("ok",), or ("compile", text) when it did not load.
    The program is `code`; judged apart it is this process's APPS_CODE."""
    global loaded
    signal.signal(signal.SIGALRM, on_timer)
    signal.signal(signal.SIGPROF, on_timer)
    # The worker's guard turned exit() and quit() off; APPS programs call them, and testing_util lets them end the case.
    builtins.exit = builtins.quit = exit_like_site
    if code is None:
        code = base64.b64decode(APPS_CODE).decode("utf-8")  # noqa: F821 - appended after the runner when judged apart
    try:
        with case_limits(wall, cpu):
            loaded = load_program(code, fn_name)
    except CaseTimedOut:
        return ("compile", "timed out while loading the program")
    except BaseException as error:  # noqa: B036 - whatever the program raised while loading is its compile error
        return ("compile", describe(error))
    return ("ok",)


def apps_stdin_case(text, wall, cpu, cap):
    """Runs code() on one case's input text: ("O", output, whether it overflowed `cap`), ("E", error) or ("T",)."""
    lines = iter(text.split("\n"))
    stdin = io.StringIO(text)
    # As testing_util patches them: readline() gives the next line without its newline (StopIteration at
    # the end), readlines() the lines without newlines, read() everything; open() of any file reads the input.
    stdin.readline = lambda *args: next(lines)
    stdin.readlines = lambda *args: text.split("\n")
    stdin.read = lambda *args: text
    captured = CappedOutput(cap)
    saved = sys.stdin, sys.stdout, builtins.open
    sys.stdin, sys.stdout = stdin, captured
    builtins.open = lambda *args, **kwargs: io.StringIO(text)
    try:
        with case_limits(wall, cpu):
            try:
                loaded()
            except SystemExit:
                pass
    except CaseTimedOut:
        return ("T",)
    except BaseException as error:  # noqa: B036 - any error of the program fails this case
        return ("E", describe(error))
    finally:
        sys.stdin, sys.stdout, builtins.open = saved
    return ("O", captured.getvalue(), captured.overflowed)


def apps_call_case(given, wall, cpu, as_data=False):
    """Calls the function with one case's arguments: ("R", result, kind), ("E", error) or ("T",). With as_data
    (judged apart) the result is given as the judge can rebuild it (see portable); else kind is None."""
    saved = sys.stdin, sys.stdout, builtins.open
    sys.stdin, sys.stdout = io.StringIO(""), CappedOutput(OUTPUT_CAP)
    try:
        with case_limits(wall, cpu):
            result = loaded(*given)
    except CaseTimedOut:
        return ("T",)
    except BaseException as error:  # noqa: B036
        return ("E", describe(error))
    finally:
        sys.stdin, sys.stdout, builtins.open = saved
    return ("R",) + (portable(result) if as_data else (result, None))


def portable(result):
    """(data, kind) for a result that goes to the judge's process, where only plain data arrives (a list subclass as
    a plain list, an object that is not data as one that equals nothing). A numpy array would arrive as a list,
    which compares otherwise (testing_util's comparison fails on an array of two or more items), and a Fraction or
    Decimal as an object that equals nothing: such results go as data marked with their kind, which the judge
    rebuilds them from."""
    kind = type(result)
    if kind.__module__ == "numpy":
        return result, "numpy." + kind.__name__
    if kind is fractions.Fraction or kind is decimal.Decimal:
        return str(result), kind.__name__
    return result, None


def on_timer(signum, frame):
    raise CaseTimedOut()


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


def describe(error):
    try:
        text = "%s: %s" % (type(error).__name__, error)
    except BaseException:  # noqa: B036 - a hostile __str__
        text = type(error).__name__
    return text[:500]


# ======== The judge. Judged apart, the sample's process gets only what is above this line. ========

class AppsVerdict(Exception):
    pass


def judge_sample(payload):
    spec = json.loads(base64.b64decode(payload).decode("utf-8"))
    tests = json.loads(spec["tests"])
    inputs, outputs = tests["inputs"], tests["outputs"]
    inputs.extend(spec.get("extra_inputs", []))
    outputs.extend(spec.get("extra_outputs", []))
    fn_name = tests.get("fn_name")
    code = spec.get("code")
    apart = code is None  # the program is in the sample's process, reached through __sample__
    cases = ["-"] * len(inputs)
    verdict = {"cases": "", "compile": None, "first": -1, "message": ""}
    wall, cpu = spec["case_wall_s"], spec.get("case_cpu_s")

    answer = ask(apart, apps_load, (fn_name, wall, cpu) if apart else (fn_name, wall, cpu, code), wall)
    if answer != ("ok",):
        verdict["compile"] = load_failure(answer)
    else:
        for index in spec["order"]:
            expected = outputs[index]
            if fn_name is None:
                given = inputs[index]
                text = "\n".join(given) if isinstance(given, list) else given
                if isinstance(expected, list):
                    expected = "\n".join(expected)
                cap = APART_OUTPUT_CAP if apart else len(expected) + OUTPUT_CAP
                answer = ask(apart, apps_stdin_case, (text, wall, cpu, cap), wall)
                outcome, message = standard_input_outcome(answer, expected, cap)
            else:
                answer = ask(apart, apps_call_case, (call_arguments(inputs[index]), wall, cpu, apart), wall)
                outcome, message = call_based_outcome(answer, expected_result(expected))
            cases[index] = outcome
            if outcome != "P" and verdict["first"] < 0:
                verdict["first"], verdict["message"] = index, message
            if outcome == "T":
                break  # one time-out is enough to fail; the rest would only cost a time limit each
    verdict["cases"] = "".join(cases)
    if verdict["compile"] is not None or any(c != "P" for c in cases):
        raise AppsVerdict("APPS-VERDICT " + json.dumps(verdict))


def ask(apart, runner, args, wall):
    """The runner's answer to one call: this process's own, or judged apart the sample's process's, which gets a
    little longer than the case's limit (its own timer ends the case first unless the program stops it)."""
    if not apart:
        try:
            return runner(*args)
        except CaseTimedOut:  # the timer fired just as the case ended, outside the program
            return ("T",)
    try:
        return __sample__.call(runner.__name__, args, timeout=wall + CALL_SLACK)  # noqa: F821 - the judge's global
    except __sample__.SampleTimeout:  # noqa: F821
        return ("T",)
    except Exception as error:  # noqa: BLE001 - the runner raised: its timer fired late, or the program broke it
        if type(error).__name__ == "SampleFailure":
            raise  # the sample's process ended: no verdict, as when a program ends its one process in-process
        return ("T",) if type(error).__name__ == "CaseTimedOut" else ("E", describe(error))


# What the runner answers is checked here, not trusted: judged apart, the program shares the runner's process and
# may have replaced its functions, so an answer may be any plain data.

MALFORMED = "the program's process gave an answer that is not a case's outcome"


def load_failure(answer):
    if answer == ("T",):
        return "timed out while loading the program"
    if type(answer) is tuple and len(answer) == 2 and answer[0] in ("compile", "E") and type(answer[1]) is str:
        return answer[1]
    return MALFORMED


def failure_of(answer):
    """A case that gave no output or result: timed out, raised, or answered nonsense."""
    if answer == ("T",):
        return "T", "timed out"
    if type(answer) is tuple and len(answer) == 2 and answer[0] == "E" and type(answer[1]) is str:
        return "E", answer[1]
    return "E", MALFORMED


def standard_input_outcome(answer, expected, cap):
    if not (type(answer) is tuple and len(answer) == 3 and answer[0] == "O" and type(answer[1]) is str and type(answer[2]) is bool):
        return failure_of(answer)
    if answer[2]:
        return "W", "wrong answer (output longer than %d characters)" % cap
    if same_output(answer[1].splitlines(), expected):
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


def call_arguments(given):
    # JSON keys are strings; testing_util turns a dict argument's keys (and a dict result's) back into ints.
    try:
        if isinstance(given[0], dict):
            given = [{int(k): v for k, v in given[0].items()}]
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        pass
    return given


def expected_result(expected):
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
    return expected


def call_based_outcome(answer, expected):
    if not (type(answer) is tuple and len(answer) == 3 and answer[0] == "R"):
        return failure_of(answer)
    result = rebuilt(answer[1], answer[2])
    try:
        if same_result(result, expected):
            return "P", ""
    except BaseException as error:  # noqa: B036 - a result that cannot be compared (e.g. a numpy array) is an error
        return "E", describe(error)
    return "W", "wrong answer"


def rebuilt(value, kind):
    """A result that crossed as data marked with its kind (see portable) as that kind again; kind None: as it is."""
    try:
        if kind == "Fraction":
            return fractions.Fraction(value)
        if kind == "Decimal":
            return decimal.Decimal(value)
        if type(kind) is str and kind.startswith("numpy."):
            import numpy
            if kind == "numpy.ndarray":
                return numpy.array(value)
            scalar = getattr(numpy, kind[len("numpy."):], None)
            if isinstance(scalar, type) and issubclass(scalar, numpy.generic):
                return scalar(value)
    except Exception:  # noqa: BLE001 - not rebuildable (a ragged array, a value out of range): compared as data
        pass
    return value


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
