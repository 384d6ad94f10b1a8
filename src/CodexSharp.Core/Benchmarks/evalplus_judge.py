# Judges one completion of an EvalPlus problem (HumanEval+, MBPP+) the way EvalPlus does, inside the sandbox.
#
# It runs as the judge of a run judged apart (see sandbox_worker.py): the sample's own code runs in another
# process, each input goes there as data and each output comes back as data, and the reference solution and
# every comparison run here, where the sample never ran. With --tests-in-sample-process it runs as EvalPlus
# runs it instead, in the sample's process, with the completion given.
#
# CodexSharp appends one call to this file:  _evalplus_judge(FLAVOUR, ROW, COMPLETION, MODE, NONCE)
#   FLAVOUR     "humaneval" or "mbpp": which of EvalPlus's input conversions and special oracles apply
#   ROW         the problem's JSON line as published (base64 of UTF-8): prompt, canonical_solution,
#               entry_point, base_input, plus_input, atol
#   COMPLETION  the sample's completion (base64 of UTF-8), the program judged being prompt + completion; None when
#               judged apart (the sample is reached through __sample__)
#   MODE        "judge" (base, then plus if base passed), "base" (base only) or "reference" (time the
#               reference solution on every input, judge nothing)
#   NONCE       random text that marks the verdict below as this harness's, not the sample's
#
# The program ends normally when every input passed. Otherwise it raises an exception whose text is
# NONCE + " " + JSON: {"phase", "kind" ("fail", "timeout", "reference"), "input", "of", "detail"}; in
# reference mode it always raises, with {"phase": "reference", "base_s", "plus_s", "base_limits_s",
# "plus_limits_s"}. The host reads that text from the runner's "failed: ..." verdict.
#
# Per phase (base, plus), as EvalPlus: the reference runs on every input first (a deep copy each), timed;
# input i then allows the sample max(1 s, 4 x the reference's time on it), and all of the phase's calls
# together min(60 s, sum of those) + 1 s, where the 60 s become twice the reference's own time for the phase if
# that is longer. The first input that fails ends the phase (EvalPlus's fast check).

import base64 as _base64
import copy as _copy
import gc as _gc
import hashlib as _hashlib
import json as _json
import marshal as _marshal
import math as _math
import signal as _signal
import time as _time

_MIN_LIMIT_S, _REFERENCE_FACTOR, _PHASE_CAP_S, _PHASE_SLACK_S = 1.0, 4.0, 60.0, 1.0
_DEFAULT_FLOAT_ATOL, _RTOL = 1e-6, 1e-7
_DETAIL_CHARS = 300


class _OutOfTime(BaseException):
    """Raised by the alarm; a BaseException so that `except Exception` in a sample does not swallow it."""


class _Verdict(Exception):
    pass


def _on_alarm(signum, frame):
    raise _OutOfTime()


# ---- inputs: MBPP+ stores tuples, sets and complex numbers as JSON lists and strings; EvalPlus turns them
# ---- back task by task (its mbpp_deserialize_inputs). Task numbers → how each input's arguments are rebuilt.

def _args_as_tuples(args):
    return [tuple(a) for a in args]


def _items_as_tuples(args):
    return [[tuple(x) for x in a] for a in args]


def _deep_tuples(value):
    return tuple(_deep_tuples(v) for v in value) if isinstance(value, list) else value


_MBPP_CONVERSIONS = {}
for _numbers, _convert in (
    ((2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726, 740, 744, 809),
     _args_as_tuples),
    ((63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780), _items_as_tuples),
    ((75, 413, 444, 753), lambda args: [[tuple(x) for x in args[0]], args[1]]),
    ((106, 750), lambda args: [args[0], tuple(args[1])]),
    ((115,), lambda args: [[set(x) if isinstance(x, list) and len(x) else {} for x in args[0]]]),
    ((124,), lambda args: [float(args[0]), complex(args[1])]),
    ((250, 405, 446, 617, 720, 763, 808), lambda args: [tuple(args[0]), args[1]]),
    ((259, 401, 445), lambda args: [tuple(tuple(x) for x in a) for a in args]),
    ((278,), lambda args: [tuple(tuple(x) if isinstance(x, list) else x for x in args[0])]),
    ((307,), lambda args: [tuple(args[0]), args[1], args[2]]),
    ((722,), lambda args: [{k: tuple(v) for k, v in args[0].items()}] + list(args[1:])),
    ((252,), lambda args: [complex(args[0])]),
    ((580, 615, 791), _deep_tuples),
):
    for _n in _numbers:
        _MBPP_CONVERSIONS[_n] = _convert


def _inputs(flavour, row, field):
    inputs = row[field]
    if flavour == "mbpp":
        convert = _MBPP_CONVERSIONS.get(int(row["task_id"].rsplit("/", 1)[-1]))
        if convert is not None:
            inputs = [convert(args) for args in inputs]
    return inputs


# ---- comparison: EvalPlus's rules, including its special oracles.

_MBPP_SET_EQUAL = {"similar_elements", "find_char_long", "common_in_nested_lists", "extract_singly", "larg_nnum",
                   "intersection_array", "find_dissimilar", "Diff"}
_MBPP_NOT_NONE = {"check_str", "text_match_three", "text_starta_endb"}


def _poly(xs, x):
    return sum(c * _math.pow(x, i) for i, c in enumerate(xs))


def _pyramid_surface(base_edge, height):
    slant = _math.sqrt((base_edge / 2) ** 2 + height ** 2)
    return round(base_edge ** 2 + 2 * base_edge * slant)


def _digit_distance(a, b):
    a, b = str(a), str(b)
    width = max(len(a), len(b))
    return sum(abs(int(x) - int(y)) for x, y in zip(a.zfill(width), b.zfill(width)))


def _is_floats(value):
    if isinstance(value, float):
        return True
    if isinstance(value, (list, tuple)) and value:
        return all(isinstance(v, float) for v in value)
    numpy = _numpy()
    if numpy is not None and isinstance(value, numpy.ndarray):
        return value.dtype in (numpy.float32, numpy.float64)
    return False


def _numpy():
    try:
        import numpy  # loaded by the sandbox worker when installed
        return numpy
    except ImportError:
        return None


def _all_close(out, exp, atol):
    numpy = _numpy()
    if numpy is not None:
        return bool(numpy.allclose(out, exp, rtol=_RTOL, atol=atol))
    # numpy's rule without numpy, for scalars and equally shaped sequences: |out - exp| <= atol + rtol * |exp|
    if isinstance(exp, (list, tuple)):
        return len(out) == len(exp) and all(_all_close(o, e, atol) for o, e in zip(out, exp))
    if _math.isinf(exp) or _math.isinf(out):
        return out == exp
    return abs(out - exp) <= atol + _RTOL * abs(exp)


class _Comparer:
    """One phase's comparisons; atol is per problem and, as in EvalPlus, becomes 1e-6 for the rest of the
    phase once it was 0 and an expected output was a float or a list of floats."""

    def __init__(self, flavour, entry_point, atol):
        self.flavour, self.entry_point, self.atol = flavour, entry_point, atol

    def note(self, exp):
        """EvalPlus's rule: once an expected output is a float or floats, atol 0 becomes 1e-6 for the phase."""
        if self.atol == 0 and _is_floats(exp):
            self.atol = _DEFAULT_FLOAT_ATOL

    def check(self, args, out, exp):
        """None when out is right for args; else what is wrong."""
        name = self.entry_point
        if self.flavour == "humaneval" and name == "find_zero":
            value = abs(_poly(*args, out))
            return None if value <= self.atol else "|poly(xs, x)| = %r > %r at x = %s" % (value, self.atol, _short(out))
        same = out == exp
        if self.flavour == "mbpp":
            if name == "are_equivalent":
                same = True
            elif name == "sum_div":
                same = same or out == 0
            elif name == "surface_Area":
                same = same or abs(out - _pyramid_surface(*args)) <= self.atol
            elif name == "digit_distance_nums":
                same = same or out == _digit_distance(*args)
            elif name in _MBPP_SET_EQUAL:
                same = set(out) == set(exp)
            elif name in _MBPP_NOT_NONE:
                same = out == exp if isinstance(out, bool) else exp == (out is not None)
        self.note(exp)
        if not same and self.atol != 0:
            if type(out) is not type(exp):
                return "expected a %s, got a %s" % (type(exp).__name__, type(out).__name__)
            if isinstance(exp, (list, tuple)) and len(out) != len(exp):
                return "expected %d items, got %d" % (len(exp), len(out))
            if _all_close(out, exp, self.atol):
                return None
        elif same:
            return None
        return "expected %s, got %s" % (_short(exp), _short(out))


def _short(value):
    try:
        text = repr(value)
    except BaseException:  # noqa: B036 - a sample's object may have any __repr__
        return "<%s>" % type(value).__name__
    return text if len(text) <= _DETAIL_CHARS else text[:_DETAIL_CHARS] + "..."


def _describe(error):
    try:
        text = "%s: %s" % (type(error).__name__, error)
    except BaseException:  # noqa: B036
        text = type(error).__name__
    return text[:_DETAIL_CHARS]


# ---- running

def _call_within(fn, args, seconds):
    """Calls fn(*args), stopped after `seconds`; returns (output, seconds taken, timed out)."""
    if isinstance(fn, _Apart):
        started = _time.perf_counter()
        try:
            out = __sample__.call(fn.name, args, timeout=max(seconds, 0.001), digest_over=_DIGEST_OVER)  # noqa: F821
        except __sample__.SampleTimeout:  # noqa: F821
            return None, _time.perf_counter() - started, True
        taken = _time.perf_counter() - started
        return out, taken, taken > seconds
    _signal.setitimer(_signal.ITIMER_REAL, max(seconds, 0.001))
    started = _time.perf_counter()
    try:
        out = fn(*args)
    except _OutOfTime:
        return None, _time.perf_counter() - started, True
    finally:
        _signal.setitimer(_signal.ITIMER_REAL, 0)
    taken = _time.perf_counter() - started
    return out, taken, taken > seconds


_DIGEST_OVER = 1 << 22  # bytes: a larger output comes back as a digest first (sandbox_worker.py's digest_of)


def _digest(expected):
    """The SHA-256 of the expected output's marshal form when that is larger than _DIGEST_OVER (else None), and
    the seconds it took: what the sample's process spends sending an output of that size."""
    started = _time.perf_counter()
    try:
        blob = _marshal.dumps(expected, 0)
    except (ValueError, TypeError, RecursionError):
        return None, 0.0
    if len(blob) <= _DIGEST_OVER:
        return None, 0.0
    digest = _hashlib.sha256(blob).digest()
    return digest, _time.perf_counter() - started


class _Apart:
    """The sample's function, in the other process; inputs need no deep copy, since only their data crosses."""

    def __init__(self, name):
        self.name = name


def _reference_outputs(flavour, reference, entry_point, inputs, phase, nonce):
    """The reference's output on each input and its time; expected outputs of EvalPlus's not-None tasks are
    whether the output is not None."""
    outputs, times = [], []
    for index, args in enumerate(inputs):
        started = _time.perf_counter()
        try:
            out = reference(*_copy.deepcopy(args))
        except BaseException as error:  # noqa: B036
            _report(nonce, phase, "reference", index, len(inputs), _describe(error))
        times.append(_time.perf_counter() - started)
        outputs.append(out is not None if flavour == "mbpp" and entry_point in _MBPP_NOT_NONE else out)
    # Out of the collector's sight: otherwise every collection while the sample runs walks all expected outputs
    # (millions of objects for some plus inputs), and the sample runs slower than the reference did.
    _gc.freeze()
    return outputs, times


def _limits(times):
    """Per-input limits and the phase's budget. EvalPlus's budget is min(60 s, sum of the limits) + 1 s; here the
    60 s become twice the reference's own time when that is longer, so that a reference slower than 30 s on this
    machine does not fail itself (the same rule wherever the reference needs 30 s or less)."""
    per_input = [max(_MIN_LIMIT_S, _REFERENCE_FACTOR * t) for t in times]
    cap = max(_PHASE_CAP_S, 2 * sum(times))
    return per_input, min(cap, sum(per_input)) + _PHASE_SLACK_S


def _run_phase(flavour, row, sample, phase, inputs, expected, times, nonce):
    per_input, budget = _limits(times)
    comparer = _Comparer(flavour, row["entry_point"], float(row.get("atol") or 0))
    used = 0.0
    apart = isinstance(sample, _Apart)
    for index, args in enumerate(inputs):
        limit = min(per_input[index], budget - used)
        # Judged apart, a large output crosses as a digest; the time taking it (measured here on the reference's
        # output) is the transfer's, not the sample's, and is not counted against its limit.
        digest, transfer = _digest(expected[index]) if apart else (None, 0.0)
        try:
            out, taken, timed_out = _call_within(sample, args if apart else _copy.deepcopy(args), limit + 2 * transfer)
        except _OutOfTime:
            out, taken, timed_out = None, limit, True
        except BaseException as error:  # noqa: B036 - the sample's exception, whatever it is
            _report(nonce, phase, "fail", index, len(inputs), _describe(error))
        taken = max(taken - transfer, 0.0)
        used += taken
        if timed_out or taken > limit:
            _report(nonce, phase, "timeout", index, len(inputs), "limit %.3g s, phase budget %.3g s" % (per_input[index], budget))
        if type(out).__name__ == "SampleDigest":
            if out.sha256 == digest:
                comparer.note(expected[index])
                continue  # equal to the reference's output, proved by digest
            try:  # not byte-equal, which proves nothing: the comparison needs the output itself
                out = __sample__.fetch()  # noqa: F821
            except BaseException as error:  # noqa: B036
                _report(nonce, phase, "fail", index, len(inputs), _describe(error))
        try:
            wrong = comparer.check(args, out, expected[index])
        except BaseException as error:  # noqa: B036 - comparing may call the sample's own methods
            wrong = _describe(error)
        if wrong is not None:
            _report(nonce, phase, "fail", index, len(inputs), wrong)


def _report(nonce, phase, kind, index, count, detail):
    raise _Verdict(nonce + " " + _json.dumps({"phase": phase, "kind": kind, "input": index, "of": count, "detail": detail}))


def _define(source, entry_point, seconds, nonce, what):
    namespace = {}
    _signal.signal(_signal.SIGALRM, _on_alarm)
    _signal.setitimer(_signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        exec(compile(source, "<string>", "exec"), namespace)
    except _OutOfTime:
        _report(nonce, "base", "timeout", None, None, "defining the %s took longer than %.3g s" % (what, seconds))
    except BaseException as error:  # noqa: B036
        _report(nonce, "base", "reference" if what == "reference" else "fail", None, None, _describe(error))
    finally:
        _signal.setitimer(_signal.ITIMER_REAL, 0)
    fn = namespace.get(entry_point)
    if not callable(fn):
        _report(nonce, "base", "reference" if what == "reference" else "fail", None, None, "no function named %s" % entry_point)
    return fn


def _apart(entry_point, seconds, nonce):
    """The sample's function when judged apart, once its module has run (within `seconds`)."""
    try:
        names = __sample__.ready(timeout=max(seconds, 0.001))  # noqa: F821 - the judge's global
    except __sample__.SampleTimeout:  # noqa: F821
        _report(nonce, "base", "timeout", None, None, "defining the completion took longer than %.3g s" % seconds)
    except BaseException as error:  # noqa: B036 - what the sample's module raised
        _report(nonce, "base", "fail", None, None, _describe(error))
    if entry_point not in names:
        _report(nonce, "base", "fail", None, None, "no function named %s" % entry_point)
    return _Apart(entry_point)


def _evalplus_judge(flavour, row, completion, mode, nonce):
    row = _json.loads(_base64.b64decode(row).decode("utf-8"))
    completion = None if completion is None else _base64.b64decode(completion).decode("utf-8")
    entry_point = row["entry_point"]
    reference = _define(row["prompt"] + row["canonical_solution"], entry_point, _PHASE_CAP_S, nonce, "reference")
    if mode == "reference":
        facts = {"phase": "reference"}
        for phase in ("base", "plus"):
            _, times = _reference_outputs(flavour, reference, entry_point, _inputs(flavour, row, phase + "_input"), phase, nonce)
            facts[phase + "_s"] = sum(times)
            facts[phase + "_limits_s"] = sum(_limits(times)[0])
        raise _Verdict(nonce + " " + _json.dumps(facts))
    inputs = _inputs(flavour, row, "base_input")
    expected, times = _reference_outputs(flavour, reference, entry_point, inputs, "base", nonce)
    # The sample's module-level code may take as long as the base phase's budget.
    budget = _limits(times)[1]
    sample = _apart(entry_point, budget, nonce) if completion is None else _define(row["prompt"] + completion, entry_point, budget, nonce, "completion")
    _run_phase(flavour, row, sample, "base", inputs, expected, times, nonce)
    if mode == "judge":
        inputs = _inputs(flavour, row, "plus_input")
        expected, times = _reference_outputs(flavour, reference, entry_point, inputs, "plus", nonce)
        _run_phase(flavour, row, sample, "plus", inputs, expected, times, nonce)
