using Nexa.Runner.Client;

namespace Nexa.Tests.Runner;

/// <summary>How tests start a runner that serves the fake engine: the test-only executable tests/Nexa.FakeRunner.</summary>
internal static class FakeRunnerCommand
{
    public static IReadOnlyList<string> Line { get; } = RunnerLauncher.RunnerBesideThisApp("Nexa.FakeRunner.dll");
}
