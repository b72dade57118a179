using System.Net;
using Nexa.Server;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>
/// The seed's RAG flow (embeddings → rerank → chat, three models) with the default options: the memory budget
/// decides what stays loaded, so each model is launched once and stays, instead of evicting another per request.
/// </summary>
public sealed class RagFlowResidencyTests
{
    [Fact]
    public void By_default_no_model_count_caps_residency_and_the_budget_follows_the_machine()
    {
        var options = new ServerOptions { DataDir = "unused" };

        Assert.Null(options.MaxModels);
        Assert.Equal(ServerOptions.AutoMemoryBudgetBytes(), options.MemoryBudgetBytes);
        Assert.InRange(options.MemoryBudgetBytes, 1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }

    [Fact]
    public async Task The_rag_flow_loads_each_of_its_three_models_once()
    {
        await using var server = await ServerHarness.StartAsync();

        for (var round = 0; round < 3; round++)
        {
            await OkAsync(server, "/v1/embeddings", """{"model":"test/embed","input":["what is nexa","a runtime"]}""");
            await OkAsync(server, "/v1/rerank", """{"model":"test/rerank","query":"what is nexa","documents":["a runtime","a cat"]}""");
            await OkAsync(server, "/v1/chat/completions", ServerHarness.ChatBody(content: "answer from the context"));
        }

        Assert.Equal(3, server.Launcher.Launches);
        Assert.All(server.Launcher.Models, m => Assert.False(m.IsDisposed));
        var health = await Wire.JsonAsync(await server.Http.GetAsync("/health"));
        Assert.Equal(["test/chat:Q4_0", "test/embed:Q8_0", "test/rerank:Q8_0"], health.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task A_max_models_cap_still_applies_when_set()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { MaxModels = 2 });

        for (var round = 0; round < 2; round++)
        {
            await OkAsync(server, "/v1/embeddings", """{"model":"test/embed","input":"x"}""");
            await OkAsync(server, "/v1/rerank", """{"model":"test/rerank","query":"q","documents":["d"]}""");
            await OkAsync(server, "/v1/chat/completions", ServerHarness.ChatBody());
        }

        Assert.Equal(6, server.Launcher.Launches);
    }

    private static async Task OkAsync(ServerHarness server, string path, string body)
    {
        using var response = await server.PostAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }
}
