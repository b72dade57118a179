using Nexa.Engine.Vision;
using Nexa.Server.Errors;
using Nexa.Server.Vision;

namespace Nexa.Tests.Server;

/// <summary>The image bytes one request, and all requests in flight together, may hold.</summary>
public sealed class ImageMemoryTests
{
    [Fact]
    public void A_request_over_its_own_budget_is_image_too_large_and_holds_nothing_more()
    {
        var memory = new ImageMemory(1000);
        using var budget = new ImageByteBudget(memory, limit: 100);

        budget.Take(60);
        var e = Assert.Throws<ImageException>(() => budget.Take(50));

        Assert.Equal("image_too_large", e.Code);
        Assert.Equal(60, memory.Held);
    }

    [Fact]
    public void Requests_over_the_servers_image_memory_are_503_until_another_request_ends()
    {
        var memory = new ImageMemory(100);
        var first = new ImageByteBudget(memory, limit: 100);
        using var second = new ImageByteBudget(memory, limit: 100);
        first.Take(70);

        var busy = Assert.Throws<ApiException>(() => second.Take(40));
        Assert.Equal((503, "server_busy"), (busy.Error.Status, busy.Error.Code));

        first.Dispose();
        second.Take(40);
        Assert.Equal(40, memory.Held);
    }
}
