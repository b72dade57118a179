namespace Nexa.Tests;

public class SmokeTests
{
    [Fact]
    public void Engine_reports_llama_cpp_commit() => Assert.Equal(40, Nexa.Engine.EngineInfo.LlamaCppCommit.Length);
}
