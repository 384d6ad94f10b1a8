# The long-lived worker that runs untrusted programs for CodexSharp.
#
# It is started once per pool slot (inside bubblewrap unless the user chose to run unsandboxed), imports the
# standard modules HumanEval-style programs use, and then serves requests on its standard input until EOF.
# For each program it forks a child that runs the program and nothing else; the verdict is decided here, in
# the parent, from what the child did and how long it took.
#
# Wire protocol (little-endian), on the descriptors that were the worker's stdin and stdout:
#   ready    worker -> host   b"CSWREADY"
#   request  host -> worker   id:u64  timeout_ms:u32  cpu_limit_ms:u32  program_len:u32  program (UTF-8)
#   response worker -> host   id:u64  status:u8  duration_us:u64  cpu_us:u64  message_len:u32  message (UTF-8)
# status: 0 passed, 1 failed (message = exception text), 2 timed out. timeout_ms limits the program's wall-clock
# time; cpu_limit_ms (0: none) the CPU time of its process, all threads together. cpu_us is that CPU time.
#
# Sandboxed, the worker is PID 1 of its own PID namespace (bwrap --as-pid-1): the program cannot signal it
# (the kernel drops signals to a namespace's init that it has no handler for, SIGKILL and SIGSTOP included),
# kill(-1) from the program cannot reach it, and kill(-1) from the worker reaches every process the program
# started, however it detached itself.

import builtins
import fcntl
import gc
import io
import json
import math
import os
import posix
import resource
import select
import signal
import stat
import struct
import sys
import time

# Imported once here so that a forked child finds them ready (a child that imports typing itself pays ~3 ms).
import bisect, collections, copy, ctypes, decimal, fractions, functools, hashlib, heapq  # noqa: E401,F401
import itertools, operator, random, re, shutil, statistics, string, subprocess, typing  # noqa: E401,F401
# Also what human-eval's own harness has imported when it runs a program. It matters for verdicts: importing
# some of these (multiprocessing, for one) after the guard has disabled os functions fails, while a program
# that merely imports them from an already-loaded module works under human-eval.
import ast, concurrent.futures, contextlib, faulthandler, gzip, multiprocessing, platform, threading  # noqa

if sys.path and sys.path[0] == "":
    del sys.path[0]  # -c puts the current directory first; a program's own files must not shadow modules
# numpy too, when installed: human-eval's harness has it loaded (for pass@k) when it forks a program, and every
# HumanEval+ and MBPP+ test imports it. Imported after the guard, numpy fails (it calls the disabled
# os.putenv). BLAS stays single-threaded, so that the worker keeps the one thread its forks rely on.
os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
try:
    import numpy  # noqa: F401
except ImportError:
    pass

PASSED, FAILED, TIMED_OUT = 0, 1, 2
REQUEST = struct.Struct("<QIII")
RESPONSE = struct.Struct("<QBQQI")
REPORT = struct.Struct("<16sQBI")  # nonce, reporter pid, status, message length
SAMPLE_DIR = "/tmp/program"
REPORT_FD = 3
CPU_CHECK_EVERY = 0.1  # seconds between looks at a running program's CPU time, at most
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

config = json.loads(sys.argv[1])
SANDBOXED = config["sandboxed"]
MEMORY_BYTES = config["memory_bytes"]
FILE_BYTES = config["file_bytes"]
PROCESSES = config["processes"]
OPEN_FILES = config["open_files"]
MAX_MESSAGE = config["max_message_chars"]

libc = ctypes.CDLL(None, use_errno=True)
# fork(2) without CPython's at-fork hooks, holding the GIL across the call (PyDLL). The worker has a single
# thread, so there is nothing for the hooks to repair, and they are costly: in the child they write to a
# couple of hundred pages, each a copy-on-write fault. What the child does need is done by hand (below).
raw_fork = ctypes.PyDLL(None).fork
PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36


def main():
    # The protocol moves to high descriptors; 0-2 become /dev/null, and 3 stays free for each report pipe.
    requests_in = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, 10)
    responses_out = fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, 10)
    diagnostics = fcntl.fcntl(2, fcntl.F_DUPFD_CLOEXEC, 10)
    null = posix.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        posix.dup2(null, fd)
    posix.close(null)
    try:
        prepare_once()
        write_all(responses_out, b"CSWREADY")
        serve(requests_in, responses_out)
    except BaseException:  # noqa: B036 - the host reads this from the worker's stderr
        import traceback
        write_all(diagnostics, traceback.format_exc().encode("utf-8", "replace"))
        raise


def prepare_once():
    """Everything that is the same for every program is done once here, not after every fork."""
    # A program may not signal the worker's default handlers into action (as PID 1 they are ignored anyway).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # Not dumpable: a program running as the same user can neither ptrace the worker nor read its memory.
    # Forked programs inherit this too, which also keeps them from tracing one another.
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    if not SANDBOXED:
        # Orphans of a program re-parent to the worker, so they stay reachable for clean-up.
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    # Limits that hold for the worker as well as for each program; only the CPU limit is set per program.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if MEMORY_BYTES > 0:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    if FILE_BYTES > 0:
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
    if PROCESSES > 0 and SANDBOXED:
        resource.setrlimit(resource.RLIMIT_NPROC, (PROCESSES, PROCESSES))
    if OPEN_FILES > 0:
        resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))
    import tempfile
    tempfile.gettempdir()  # human-eval's harness has cached it before its guard disables os.getcwd
    # What the program sees as stdin, stdout and stderr, as in human-eval; each child writes to its own copy.
    sys.stdin = sys.stdout = sys.stderr = DiscardingOutput(MAX_MESSAGE)
    disable_like_human_eval()
    gc.collect()
    gc.freeze()  # forked children then do not touch (and copy) the worker's objects when they collect


def serve(requests_in, responses_out):
    while True:
        header = read_exactly(requests_in, REQUEST.size)
        if header is None:
            return
        request_id, timeout_ms, cpu_limit_ms, length = REQUEST.unpack(header)
        program = read_exactly(requests_in, length) if length else b""
        if program is None:
            return
        status, duration, cpu, message, healthy = run_program(program.decode("utf-8", "replace"), timeout_ms / 1000.0, cpu_limit_ms / 1000.0)
        encoded = message.encode("utf-8", "replace")
        write_all(responses_out, RESPONSE.pack(request_id, status, int(duration * 1e6), int(cpu * 1e6), len(encoded)) + encoded)
        if not healthy:
            return  # the host replaces a worker whose private directories could not be restored


def run_program(program, timeout, cpu_limit):
    started = time.monotonic()
    code, failure = compile_within(program, timeout)
    if code is None:
        duration = time.monotonic() - started
        return (TIMED_OUT, duration, 0.0, "", True) if failure is None else (FAILED, duration, 0.0, failure, True)
    workdir = SAMPLE_DIR if SANDBOXED else make_private_dir()
    if SANDBOXED:
        posix.mkdir(workdir, 0o700)
    nonce = posix.urandom(16)
    random.seed()  # each program gets fresh random state, as after os.fork; seeded here, in the parent
    report_read, report_write = posix.pipe()
    pid = raw_fork()
    if pid == 0:
        try:
            run_child(code, workdir, report_write, nonce, started + timeout - time.monotonic())
        finally:
            posix._exit(70)
    del code
    if pid < 0:
        posix.close(report_read)
        posix.close(report_write)
        return FAILED, 0.0, 0.0, "the sandbox worker could not fork: errno %d" % ctypes.get_errno(), False
    posix.close(report_write)
    report, timed_out = watch_child(pid, report_read, started + timeout, cpu_limit)
    duration = time.monotonic() - started
    posix.close(report_read)
    exit_status, cpu = kill_everything_but_the_worker(pid)
    healthy = remove_private_files(workdir)
    if len(program) > 1 << 20:
        libc.malloc_trim(0)  # a huge program must not leave the worker (and so every later fork) bigger
    timed_out = timed_out or (cpu_limit > 0 and cpu > cpu_limit)
    status, duration, message = judge(report, nonce, pid, exit_status, timed_out, duration, timeout)
    return status, duration, cpu, message, healthy


class CompileTimeout(Exception):
    pass


def compile_within(program, timeout):
    """Compiles in the worker, before the fork, exactly as exec(program) would (same file name, same flags).

    Compiling here rather than in the child saves the child about half of its copy-on-write faults, which
    dominate its cost. Compiling runs no program code; its time counts against the program's limit. Returns
    (code, None), (None, "exception text") for a program that does not compile, or (None, None) on timeout.
    """
    def interrupt(signum, frame):
        raise CompileTimeout()

    # The handler exists only while no program process is alive, so no program can trigger it.
    signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, max(timeout, 0.001))
    try:
        return compile(program, "<string>", "exec"), None
    except CompileTimeout:
        return None, None
    except BaseException as error:  # noqa: B036 - SyntaxError, MemoryError, RecursionError, ValueError...
        return None, describe_exception(error)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)


def watch_child(pid, report_read, deadline, cpu_limit):
    """Collects the child's report until the child ends, the deadline passes or the child's process has used
    cpu_limit seconds of CPU (0: no CPU limit); never trusts the child to end. Returns (report, timed out)."""
    child = posix.pidfd_open(pid)
    poller = select.poll()
    poller.register(report_read, select.POLLIN)
    poller.register(child, select.POLLIN)
    report = bytearray()
    limit = REPORT.size + 4 * MAX_MESSAGE
    exited = False
    stat = None
    # The first look at the CPU time comes when even one busy thread could have used the limit, or sooner.
    next_check = time.monotonic() + min(cpu_limit, CPU_CHECK_EVERY) if cpu_limit > 0 else deadline
    try:
        while not exited:
            now = time.monotonic()
            if now >= deadline:
                return bytes(report), True
            if now >= next_check:
                if stat is None:
                    stat = posix.open("/proc/%d/stat" % pid, posix.O_RDONLY | posix.O_CLOEXEC)
                left = cpu_limit - cpu_seconds(stat)
                if left <= 0:
                    return bytes(report), True
                # A single thread cannot use more than the time that passes: look again when it could have used the rest.
                next_check = now + min(max(left, 0.002), CPU_CHECK_EVERY)
            wait = min(deadline, next_check) - now
            for fd, _ in poller.poll(max(1, math.ceil(wait * 1000))):
                if fd == child:
                    exited = True
                elif not read_some(report_read, report, limit):
                    poller.unregister(report_read)
            if report_is_complete(report) or len(report) >= limit:
                break
        posix.set_blocking(report_read, False)
        while read_some(report_read, report, limit):
            pass
    finally:
        posix.close(child)
        if stat is not None:
            posix.close(stat)
    return bytes(report), False


def cpu_seconds(stat):
    """User and system time of a live (or not yet reaped) process, all its threads, from its /proc stat file."""
    try:
        fields = posix.pread(stat, 1024, 0).rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0  # gone meanwhile: the exit is seen next


def read_some(fd, buffer, limit):
    try:
        chunk = posix.read(fd, max(1, min(65536, limit - len(buffer))))
    except BlockingIOError:
        return False
    buffer.extend(chunk)
    return bool(chunk) and len(buffer) < limit


def report_is_complete(report):
    if len(report) < REPORT.size:
        return False
    return len(report) >= REPORT.size + REPORT.unpack_from(report)[3]


FORGERY = "the program wrote to the harness's report channel (verdict forgery refused)"


def judge(report, nonce, pid, exit_status, timed_out, duration, timeout):
    """The verdict. Only a well-formed report carrying this run's nonce, written by the child itself, counts."""
    if timed_out:
        return TIMED_OUT, duration, ""
    if len(report) >= REPORT.size:
        got_nonce, reporter, status, length = REPORT.unpack_from(report)
        body = report[REPORT.size:REPORT.size + length]
        if got_nonce == nonce and reporter == pid and len(body) == length and status in (PASSED, FAILED):
            if duration > timeout:
                return TIMED_OUT, duration, ""
            return status, duration, body.decode("utf-8", "replace")
        return FAILED, duration, FORGERY
    if report:
        return FAILED, duration, FORGERY
    return FAILED, duration, describe_exit(exit_status)


def describe_exit(status):
    if status is None:
        return "the program ended before its tests finished"
    if posix.WIFSIGNALED(status):
        number = posix.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "signal %d" % number
        return "the program was killed by %s before its tests finished" % name
    return "the program exited with status %d before its tests finished" % posix.WEXITSTATUS(status)


def kill_everything_but_the_worker(child):
    """Kills and reaps every process the program started; returns the child's own wait status and the CPU
    seconds of all of them (what reaping them added to the worker's children's usage)."""
    child_status = None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)  # not os.wait4: it imports resource, which the guard hides
    if not SANDBOXED:
        try:
            posix.killpg(child, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    while True:
        if SANDBOXED:
            # Everything in this PID namespace except its init (this worker) is the program or its offspring.
            try:
                posix.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
        else:
            # Orphans re-parent to the worker (a subreaper), so every live process is reachable from it.
            for pid in descendants_of(posix.getpid()):
                try:
                    posix.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            pid, status = posix.waitpid(-1, 0)
        except ChildProcessError:
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            return child_status, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if pid == child:
            child_status = status


def descendants_of(root):
    parents = {}
    for name in posix.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name, "rb") as status:
                    parents[int(name)] = int(status.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.extend(children)
        frontier.extend(children)
    return found


def make_private_dir():
    for _ in range(100):
        path = "/tmp/codexsharp-program-%s" % posix.urandom(6).hex()
        try:
            posix.mkdir(path, 0o700)
            return path
        except FileExistsError:
            continue
    raise OSError("cannot create a private directory in /tmp")


def remove_private_files(workdir):
    """Sandboxed: empties the worker's private /tmp. Unsandboxed: removes the program's own directory."""
    try:
        for path in (["/tmp/" + name for name in posix.listdir("/tmp")] if SANDBOXED else [workdir]):
            remove_tree(path)
        return True
    except (OSError, RecursionError):
        return False


def remove_tree(path):
    try:
        posix.rmdir(path)  # the common case: the program left nothing behind
        return
    except OSError:
        pass
    if not stat.S_ISDIR(posix.lstat(path).st_mode):
        posix.unlink(path)
        return
    posix.chmod(path, 0o700)  # a program may have taken its own permissions away
    for entry in posix.scandir(path):
        remove_tree(entry.path)
    posix.rmdir(path)


def read_exactly(fd, count):
    chunks, remaining = [], count
    while remaining:
        chunk = posix.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[posix.write(fd, view):]


# ---------------------------------------------------------------------------------------------------------
# The child. Everything below runs in the forked process that the program shares; nothing in it is trusted.


class DiscardingOutput(io.StringIO):
    """What the program sees as stdin, stdout and stderr: writes are kept up to a cap, reads raise OSError."""

    def __init__(self, cap):
        super().__init__()
        self.room = cap

    def write(self, text):
        if self.room > 0:
            kept = text[:self.room]
            self.room -= len(kept)
            super().write(kept)
        return len(text)

    def read(self, *args, **kwargs):
        raise OSError

    def readline(self, *args, **kwargs):
        raise OSError

    def readlines(self, *args, **kwargs):
        raise OSError

    def readable(self, *args, **kwargs):
        return False


def run_child(code, workdir, report_write, nonce, timeout):
    # Bound now: the program may replace posix.write or builtins, but not these local names.
    write, exit_now, getpid, base_exception = posix.write, posix._exit, posix.getpid, BaseException
    posix.setsid()
    if report_write != REPORT_FD:
        posix.dup2(report_write, REPORT_FD)
    posix.closerange(REPORT_FD + 1, OPEN_FILES if OPEN_FILES > 0 else 65536)
    posix.chdir(workdir)
    cpu_seconds = math.ceil(max(timeout, 0)) + 1  # a backstop: the worker's wall clock ends the program first
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    status, message = FAILED, ""
    try:
        exec(code, {})
        status = PASSED
    except base_exception as error:
        message = describe_exception(error)
    encoded = message[:MAX_MESSAGE].encode("utf-8", "replace")
    report = REPORT.pack(nonce, getpid(), status, len(encoded)) + encoded
    view = memoryview(report)
    while view:
        view = view[write(REPORT_FD, view):]
    exit_now(0)


def describe_exception(error):
    try:
        return str(error)
    except BaseException:  # noqa: B036 - a hostile __str__ may raise anything
        return "<exception of type %s whose text could not be read>" % type(error).__name__


def disable_like_human_eval():
    """Disables what openai/human-eval's reliability guard disables, so that verdicts match it one for one.

    Done once in the worker, so every forked program starts with it. The worker itself calls the posix
    module's functions, which the guard leaves alone. This is compatibility, not security: a program can get
    every one of these back. The sandbox, the rlimits and the parent-side clean-up are what contain it.
    """
    import faulthandler
    faulthandler.disable()
    builtins.exit = None
    builtins.quit = None
    builtins.help = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork",
                 "forkpty", "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown",
                 "chmod", "chown", "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
        setattr(os, name, None)
    shutil.rmtree = shutil.move = shutil.chown = None
    subprocess.Popen = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None


main()
