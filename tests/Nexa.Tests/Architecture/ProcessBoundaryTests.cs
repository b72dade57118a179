using System.Reflection;
using Nexa.Server;

namespace Nexa.Tests.Architecture;

/// <summary>
/// Assembly lines follow process lines: what the server process loads holds no engine and no native package (those
/// run in runner processes), and the product holds no test code.
/// </summary>
public sealed class ProcessBoundaryTests
{
    private static readonly string[] NativeEngines = ["Nexa.Engine", "LLamaSharp", "Microsoft.ML.OnnxRuntime", "SkiaSharp", "Microsoft.ML.Tokenizers"];

    [Fact]
    public void The_servers_assembly_closure_holds_no_engine_and_no_native_package()
    {
        var closure = Closure(typeof(NexaServer).Assembly);

        Assert.Contains("Nexa.Engine.Contracts", closure);
        Assert.Contains("Nexa.Runner.Protocol", closure);
        Assert.DoesNotContain(closure, name => NativeEngines.Contains(name));
    }

    [Fact]
    public void The_runner_client_holds_no_engine_and_no_aspnet_host()
    {
        var closure = Closure(typeof(Nexa.Runner.Client.RunnerLauncher).Assembly);

        Assert.DoesNotContain(closure, name => NativeEngines.Contains(name) || name == "Nexa.Runner.Host" || name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public void The_product_holds_no_fake_engine()
    {
        var closure = Closure(Assembly.Load("nexa"));

        Assert.DoesNotContain("Nexa.FakeRunner", closure);
        Assert.Contains("Nexa.Runner.Host", closure);
    }

    // Every assembly reachable through references, stopping at the framework's.
    private static HashSet<string> Closure(Assembly root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<AssemblyName>([root.GetName()]);
        while (queue.TryDequeue(out var name))
        {
            if (name.Name is null || !seen.Add(name.Name) || IsFramework(name.Name))
                continue;
            foreach (var reference in Assembly.Load(name).GetReferencedAssemblies())
                queue.Enqueue(reference);
        }
        return seen;
    }

    private static bool IsFramework(string name) =>
        name is "System" or "mscorlib" or "netstandard" || name.StartsWith("System.", StringComparison.Ordinal);
}
