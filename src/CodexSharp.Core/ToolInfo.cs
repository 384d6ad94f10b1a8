using System.Reflection;

namespace CodexSharp.Core;

/// <summary>Facts about this build of CodexSharp that every record it writes carries.</summary>
public static class ToolInfo
{
    /// <summary>The informational version of the build (e.g. <c>0.1.0+commit</c>).</summary>
    public static string Version { get; } =
        typeof(ToolInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
