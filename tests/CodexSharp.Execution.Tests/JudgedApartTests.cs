using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Tests;

/// <summary>
/// Runs judged apart (<see cref="ExecutionRequest.Judge"/>) in the real sandbox: what crosses between the sample's
/// process and the judge's, and what does not.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class JudgedApartTests(SandboxFixture sandbox)
{
    private Task<ExecutionResult> RunAsync(string sample, string judge, double seconds = 10) =>
        sandbox.Runner.RunAsync(new ExecutionRequest(sample, TimeSpan.FromSeconds(seconds)) { Judge = judge });

    [Fact]
    public async Task Values_cross_as_plain_data_of_the_same_types()
    {
        const string sample = """
            import collections, enum
            class Color(enum.IntEnum):
                RED = 1
            class Liar(list):
                def __eq__(self, other): return True
            Point = collections.namedtuple("Point", "x y")
            def values():
                return [None, True, 7, -2 ** 100, 10 ** 5000, 1.5, float("nan"), -0.0, 2j, "a\ud800", b"\x00", bytearray(b"b"),
                        (1, "x"), {1, 2}, frozenset({3}), {"k": [1], 2: (3,)}, Color.RED, Liar([1]), Point(1, 2),
                        collections.OrderedDict(a=1), list(range(100000)), [(str(i), i) for i in range(1000)], [[1.5, None]] * 20]
            def echo(value):
                return value
            """;
        const string judge = """
            import math
            got = __sample__.call("values")
            expected = [None, True, 7, -2 ** 100, 10 ** 5000, 1.5, None, -0.0, 2j, "a\ud800", b"\x00", bytearray(b"b"),
                        (1, "x"), {1, 2}, frozenset({3}), {"k": [1], 2: (3,)}, 1, [1], (1, 2), {"a": 1}, list(range(100000)),
                        [(str(i), i) for i in range(1000)], [[1.5, None]] * 20]
            assert len(got) == len(expected), len(got)
            for i, (a, b) in enumerate(zip(got, expected)):
                if i == 6:
                    assert type(a) is float and math.isnan(a)
                    continue
                assert type(a) is type(b) and a == b, (i, type(a), a if i != 4 else "...")
            assert math.copysign(1, got[7]) == -1
            assert type(got[21][0]) is tuple and type(got[17]) is list and type(got[16]) is int
            echoed = __sample__.call("echo", (got,))
            assert echoed[:6] == got[:6] and echoed[7:] == got[7:], "echo"  # NaN equals nothing, itself included
            """;
        var result = await RunAsync(sample, judge);
        Assert.Equal("passed", result.Result);
    }

    [Fact]
    public async Task Objects_stay_in_the_samples_process_and_are_reached_through_it()
    {
        const string sample = """
            class Node:
                def __init__(self, value):
                    self.value, self.next = value, None
                def __eq__(self, other):
                    return True
            def total(node):
                return 0 if node is None else node.value + total(node.next)
            def numbers():
                yield 1
            """;
        const string judge = """
            Node, total = __sample__.function("Node"), __sample__.function("total")
            head = Node(1)
            head.next = Node(2)
            assert total(head) == 3 and head.value == 1 and head.next.value == 2
            assert head != 1 and not (head == head.next) and head == head
            try:
                bool(head)
                raise AssertionError("a sample's object has a truth value")
            except TypeError:
                pass
            generator = __sample__.call("numbers")
            assert "generator" in repr(generator)
            try:
                list(generator)
                raise AssertionError("a sample's generator was iterated in the judge")
            except TypeError:
                pass
            """;
        var result = await RunAsync(sample, judge);
        Assert.Equal("passed", result.Result);
    }

    [Fact]
    public async Task Exceptions_come_back_as_their_type_and_text()
    {
        const string sample = """
            class Odd(Exception):
                pass
            def missing(d):
                return d["a"]
            def odd():
                raise Odd("strange")
            def leave():
                raise SystemExit(3)
            """;
        const string judge = """
            try:
                __sample__.call("missing", ({},))
            except KeyError as error:
                assert str(error) == "'a'", str(error)
            try:
                __sample__.call("odd")
            except Exception as error:
                assert type(error).__name__ == "Odd" and str(error) == "strange"
            try:
                __sample__.call("leave")
            except Exception as error:
                assert type(error).__name__ == "SystemExit" and str(error) == "3"
            __sample__.call("nowhere")
            """;
        var result = await RunAsync(sample, judge);
        Assert.Equal("failed: name 'nowhere' is not defined", result.Result);
    }

    [Fact]
    public async Task A_call_that_ignores_its_alarm_is_stopped_by_the_judges_deadline()
    {
        const string sample = """
            import signal
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            def spin():
                signal.setitimer(signal.ITIMER_REAL, 0.01)
                while True:
                    pass
            """;
        const string judge = """
            import time
            started = time.monotonic()
            try:
                __sample__.call("spin", timeout=0.5)
                raise AssertionError("returned")
            except __sample__.SampleTimeout:
                pass
            assert time.monotonic() - started < 5
            """;
        var result = await RunAsync(sample, judge);
        Assert.Equal("passed", result.Result);
        var whole = await RunAsync("import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass\n", "__sample__.ready()\n", seconds: 1);
        Assert.Equal(ExecutionStatus.TimedOut, whole.Status);
        Assert.True(whole.Duration < TimeSpan.FromSeconds(4), whole.Duration.ToString());
    }

    [Fact]
    public async Task The_cpu_limit_is_the_samples_and_not_the_judges()
    {
        const string busy = "import time\nstarted = time.process_time()\nwhile time.process_time() - started < 1.5:\n    pass\n";
        // Wall limits far above the CPU limit, so that a loaded machine cannot turn either into a wall-clock time-out.
        var judgeBusy = await sandbox.Runner.RunAsync(new ExecutionRequest("def f():\n    return 1\n", TimeSpan.FromSeconds(20))
        {
            Judge = busy + "assert __sample__.call('f') == 1\n",
            CpuLimit = TimeSpan.FromSeconds(1),
        });
        Assert.Equal("passed", judgeBusy.Result);
        var sampleBusy = await sandbox.Runner.RunAsync(new ExecutionRequest("def f():\n" + string.Join("", busy.Split('\n').Select(l => l.Length > 0 ? "    " + l + "\n" : "")) + "    return 1\n", TimeSpan.FromSeconds(20))
        {
            Judge = "assert __sample__.call('f') == 1\n",
            CpuLimit = TimeSpan.FromSeconds(1),
        });
        Assert.Equal(ExecutionStatus.TimedOut, sampleBusy.Status);
        Assert.True(sampleBusy.Duration < TimeSpan.FromSeconds(15), sampleBusy.Duration.ToString());
    }

    [Fact]
    public async Task The_judges_text_is_never_in_the_samples_memory()
    {
        // A marker only the judge's text holds. Every worker has judged several runs holding it before the sample
        // looks: a copy left in the worker's heap would be in every sample forked from it afterwards.
        var marker = "judge-only-" + Guid.NewGuid().ToString("N");
        // The sample searches its memory in place (memmem, no copies) for the marker, built reversed and turned
        // around inside one buffer, which is the only copy of it the search may meet.
        const string sample = """
            import ctypes
            libc = ctypes.CDLL(None)
            libc.memmem.restype = ctypes.c_void_p
            libc.memmem.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t]
            def find_reversed(text):
                needle = bytearray(text.encode())
                needle.reverse()
                own = (ctypes.c_char * len(needle)).from_buffer(needle)
                at_own = ctypes.addressof(own)
                with open("/proc/self/maps") as maps:
                    spans = [line.split() for line in maps]
                for fields in spans:
                    start, end = (int(x, 16) for x in fields[0].split("-"))
                    if not fields[1].startswith("r") or (len(fields) > 5 and fields[5].startswith("[v")):
                        continue
                    if len(fields) > 5 and fields[5].startswith("/") and not fields[1].startswith("rw"):
                        continue  # read-only file mappings: code and data of libraries, not this process's heap
                    at = start
                    while at < end:
                        hit = libc.memmem(at, end - at, at_own, len(needle))
                        if not hit:
                            break
                        if hit != at_own:
                            return True
                        at = hit + 1
                return False
            """;
        var judge = $"MARKER = \"{marker}\"\n__sample__.ready()\n";
        for (var i = 0; i < 6; i++) Assert.Equal("passed", (await RunAsync("def nothing():\n    pass\n", judge)).Result);
        // The search needle is the marker reversed: the sample turns it back, so the text it looks for never crossed.
        var reversed = new string(marker.Reverse().ToArray());
        var probe = $"assert __sample__.call(\"find_reversed\", (\"{reversed}\",)) is False, \"the judge's text is in the sample's memory\"\n";
        var result = await RunAsync(sample, probe);
        Assert.Equal("passed", result.Result);
        // The probe finds what is there: a sample that holds the marker itself is caught.
        var control = await RunAsync(sample + $"\nHELD = \"{marker}\"\n", probe);
        Assert.Equal("failed: the judge's text is in the sample's memory", control.Result);
    }
}
