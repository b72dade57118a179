using System.Reflection;

namespace Nexa.Engine;

/// <summary>Which llama.cpp this build runs.</summary>
public static class EngineInfo
{
    // libllama.so embeds no build number; the commit is the one LLamaSharp 0.30.0 ships
    // (its README's version table, confirmed by `strings libggml-base.so`; see shared/notes/llamasharp-0.30-facts.md).
    // A test fails when the package version changes without this commit being updated.
    public const string LlamaCppCommit = "815a2a5915f22ce6a760c676389c5dfe8535c08f";

    /// <summary>The LLamaSharp package version, stamped at build time from Directory.Packages.props.</summary>
    public static string LlamaSharpVersion { get; } =
        typeof(EngineInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LLamaSharpVersion")?.Value ?? "unknown";
}
