using Nexa.Engine;

namespace Nexa.Tests;

public class EngineInfoTests
{
    [Fact]
    public void The_llama_cpp_commit_belongs_to_the_LLamaSharp_version_in_use()
    {
        // Bumping LLamaSharp means looking up its llama.cpp commit and updating EngineInfo.LlamaCppCommit.
        Assert.Equal("0.30.0", EngineInfo.LlamaSharpVersion);
        Assert.Equal("815a2a5915f22ce6a760c676389c5dfe8535c08f", EngineInfo.LlamaCppCommit);
    }
}
