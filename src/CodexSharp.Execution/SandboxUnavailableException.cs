namespace CodexSharp.Execution;

/// <summary>
/// The sandbox cannot run on this machine: bubblewrap is missing, or it cannot create the namespaces it needs.
/// The message says how to fix it, and names the explicit flag that runs programs without a sandbox.
/// </summary>
public sealed class SandboxUnavailableException : Exception
{
    public SandboxUnavailableException(string problem)
        : base(problem + Environment.NewLine + Advice) { }

    internal const string Advice =
        "Install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf install bubblewrap`) " +
        "and make sure unprivileged user namespaces are allowed (Ubuntu 24.04+: an AppArmor profile must allow bwrap, " +
        "or `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`). " +
        "To run the programs WITHOUT any sandbox, at your own risk, pass `--unsafe-no-sandbox`.";
}
