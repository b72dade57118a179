using System.ClientModel;
using Nexa.Tests.Server.Fakes;
using OpenAI;
using OpenAI.Chat;

namespace Nexa.Tests.Server;

/// <summary>The official OpenAI .NET SDK sends image parts (inline bytes and a URL) that our server takes as they are.</summary>
public sealed class VisionSdkTests : IAsyncLifetime
{
    private ServerHarness _server = null!;
    private ImageHost _images = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerHarness.StartAsync();
        _images = await ImageHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _images.DisposeAsync();
    }

    private ChatClient Client(string model = ServerHarness.Vision) =>
        new(model, new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(_server.Server.BaseAddress, "/v1") });

    [Fact]
    public async Task An_image_part_from_bytes_and_one_from_a_url_reach_the_engine()
    {
        var message = new UserChatMessage(
            ChatMessageContentPart.CreateTextPart("describe"),
            ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(TestImages.Png(700, 350)), "image/png"),
            ChatMessageContentPart.CreateImagePart(new Uri(_images.Url("/photo.jpg")), ChatImageDetailLevel.Low));

        ChatCompletion completion = await Client().CompleteChatAsync([message], new ChatCompletionOptions { MaxOutputTokenCount = 16 });

        Assert.StartsWith("You said: describe", Assert.Single(completion.Content).Text);
        var images = _server.Launcher.ModelsOf(ServerHarness.Vision).Single().Requests.Single().Messages.Single().Images;
        Assert.Equal([(512, 256), (64, 48)], images.Select(i => (TestImages.Read(i.Data).Width, TestImages.Read(i.Data).Height)));
        Assert.All(images, i => Assert.Equal("describe".Length, i.Position));
    }

    [Fact]
    public async Task Streaming_with_an_image_part_through_the_sdk()
    {
        var message = new UserChatMessage(
            ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(TestImages.Jpeg(40, 40)), "image/jpeg"),
            ChatMessageContentPart.CreateTextPart("what is it"));

        var text = "";
        await foreach (var update in Client().CompleteChatStreamingAsync([message]))
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));

        Assert.Equal("You said: what is it", text);
        Assert.Equal(0, _server.Launcher.ModelsOf(ServerHarness.Vision).Single().Requests.Single().Messages.Single().Images.Single().Position);
    }

    [Fact]
    public async Task A_text_model_shown_an_image_is_a_client_error_in_the_sdk()
    {
        var message = new UserChatMessage(
            ChatMessageContentPart.CreateTextPart("hi"),
            ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(TestImages.Png(4, 4)), "image/png"));

        var e = await Assert.ThrowsAsync<ClientResultException>(() => Client(ServerHarness.ChatModel).CompleteChatAsync([message]));

        Assert.Equal(400, e.Status);
        Assert.Contains("cannot see images", e.Message);
    }
}
