namespace CodexSharp.Execution.CSharp;

/// <summary>
/// The entry point compiled into every C# program. It runs the program's own Main and reports how that ended
/// on the process's real standard output, as one line that carries the run's nonce (given in an environment
/// variable that the harness clears before the program starts):
/// <c>NONCE passed</c> or <c>NONCE failed MESSAGE</c>. Only that line earns a verdict: a program that exits
/// early (Environment.Exit(0) included), crashes or prints a look-alike without the nonce has failed.
/// The program's Console is silenced and its stdin is empty. Debug.Assert throws (through a trace listener) instead of
/// aborting the process, so that a failed assertion comes back as a message (MultiPL-E's tests are Debug.Assert calls).
/// Like the Python worker's nonce, this keeps honest mistakes and naive forgeries out; the sandbox, not
/// the nonce, contains a program that goes looking for it in its own process.
/// </summary>
internal static class ProgramHarness
{
    public const string TypeName = "CodexSharpProgramHarness";
    public const string FileName = "CodexSharpProgramHarness.cs";
    public const string NonceVariable = "CODEXSHARP_RUN_NONCE";
    public const string PassedWord = "passed";
    public const string FailedWord = "failed";

    public const string Source = """
        internal static class CodexSharpProgramHarness
        {
            private static int Main(string[] args)
            {
                var nonce = System.Environment.GetEnvironmentVariable("CODEXSHARP_RUN_NONCE") ?? "";
                System.Environment.SetEnvironmentVariable("CODEXSHARP_RUN_NONCE", null);
                var report = System.Console.OpenStandardOutput();
                System.Console.SetIn(System.IO.TextReader.Null);
                System.Console.SetOut(System.IO.TextWriter.Null);
                System.Console.SetError(System.IO.TextWriter.Null);
                System.Diagnostics.Trace.Listeners.Clear();
                System.Diagnostics.Trace.Listeners.Add(new ThrowingTraceListener());
                string verdict;
                try
                {
                    RunProgram(args);
                    verdict = "passed";
                }
                catch (System.Exception error)
                {
                    verdict = "failed " + Describe(error);
                }
                var line = System.Text.Encoding.UTF8.GetBytes("\n" + nonce + " " + verdict.Replace('\n', ' ') + "\n");
                report.Write(line, 0, line.Length);
                report.Flush();
                return 0;
            }

            private static void RunProgram(string[] args)
            {
                System.Reflection.MethodInfo main = null;
                foreach (var type in typeof(CodexSharpProgramHarness).Assembly.GetTypes())
                {
                    if (type == typeof(CodexSharpProgramHarness) || type.DeclaringType == typeof(CodexSharpProgramHarness)) continue;
                    var found = type.GetMethod("Main", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly);
                    if (found == null) continue;
                    if (main != null) throw new System.InvalidOperationException("the program has more than one Main method");
                    main = found;
                }
                if (main == null) throw new System.InvalidOperationException("the program has no static Main method");
                var result = main.Invoke(null, System.Reflection.BindingFlags.DoNotWrapExceptions, null, main.GetParameters().Length == 0 ? null : new object[] { args }, null);
                if (result is System.Threading.Tasks.Task task) task.GetAwaiter().GetResult();
            }

            private static string Describe(System.Exception error)
            {
                if (error is AssertionFailedException) return "Debug.Assert failed: " + error.Message;
                try
                {
                    return error.GetType().Name + ": " + error.Message;
                }
                catch (System.Exception)
                {
                    return error.GetType().Name;
                }
            }

            private sealed class ThrowingTraceListener : System.Diagnostics.TraceListener
            {
                public override void Write(string message) { }

                public override void WriteLine(string message) { }

                public override void Fail(string message, string detailMessage) =>
                    throw new AssertionFailedException(string.IsNullOrEmpty(detailMessage) ? message ?? "" : message + " " + detailMessage);
            }

            private sealed class AssertionFailedException(string message) : System.Exception(message);
        }
        """;
}
