using System.ClientModel;
using System.Net;
using System.Text.Json;
using Nexa.Tests.Server.Fakes;
using OpenAI;
using OpenAI.Chat;

namespace Nexa.Tests.Integration;

/// <summary>The tiny vision model (chat model + LLaVA-style projector) loaded in a real runner.</summary>
public sealed class VisionServerFixture : RealServerFixture
{
    protected override bool WithVisionModel => true;
}

/// <summary>
/// The seed's VLM request through server, runner, mtmd and llama.cpp, with every form of image_url the
/// documentation names. Random weights: the tests assert counts, sameness and errors, never wording.
/// </summary>
public sealed class VisionThroughRunnerTests(VisionServerFixture fixture) : IClassFixture<VisionServerFixture>, IAsyncLifetime
{
    private ImageHost _images = null!;

    private RealServer Server => fixture.Server;

    public async Task InitializeAsync() => _images = await ImageHost.StartAsync();

    public async Task DisposeAsync() => await _images.DisposeAsync();

    // The seed's body (nexa-rest-api.md, "Use VLM"), greedy so every url form must give the same answer.
    private static string SeedBody(string url, string extra = "\"max_tokens\":12,\"temperature\":0,\"ignore_eos\":true") =>
        $$$"""
        {"model":"{{{RealServer.VisionModel}}}","messages":[{"role":"user","content":[
          {"type":"text","text":"Describe this image succinctly."},
          {"type":"image_url","image_url":{"url":{{{JsonSerializer.Serialize(url)}}}}}]}],{{{extra}}}}
        """;

    [Fact]
    public async Task Every_url_form_of_the_same_picture_gives_the_same_answer()
    {
        var png = ImageHost.RedPng;
        var file = Server.TempPath("red.png");
        await File.WriteAllBytesAsync(file, png);
        string[] urls =
        [
            _images.Url("/red.png"),
            "data:image/png;base64," + Convert.ToBase64String(png),
            new Uri(file).AbsoluteUri,
            file,
        ];

        var answers = new List<Completion>();
        foreach (var url in urls)
            answers.Add(await Answers.CompleteAsync(Server, SeedBody(url)));

        var textOnly = await Answers.CompleteAsync(Server, RealServer.ChatBody("Describe this image succinctly.", "\"max_tokens\":1", RealServer.VisionModel));
        Assert.All(answers, a => Assert.Equal(12, a.CompletionTokens));
        Assert.Single(answers.Select(a => a.Content).Distinct());
        Assert.Single(answers.Select(a => a.PromptTokens).Distinct());
        // The image takes its own positions in the prompt: 16 patches and the token mtmd closes it with.
        Assert.True(answers[0].PromptTokens >= textOnly.PromptTokens + 16, $"{answers[0].PromptTokens} vs {textOnly.PromptTokens} without the image");
    }

    [Fact]
    public async Task A_different_picture_changes_the_prompt_but_not_its_length()
    {
        var red = await Answers.CompleteAsync(Server, SeedBody(_images.Url("/red.png")));
        var blue = await Answers.CompleteAsync(Server, SeedBody("data:image/png;base64," + Convert.ToBase64String(TestImages.Png(64, 48, TestImages.Blue))));

        Assert.Equal(red.PromptTokens, blue.PromptTokens);
    }

    [Fact]
    public async Task Two_images_in_one_message_take_two_images_worth_of_prompt()
    {
        var one = await Answers.CompleteAsync(Server, SeedBody(_images.Url("/red.png")));
        var body = $$$"""
            {"model":"{{{RealServer.VisionModel}}}","max_tokens":4,"messages":[{"role":"user","content":[
              {"type":"image_url","image_url":{"url":"{{{_images.Url("/red.png")}}}"}},
              {"type":"text","text":"Describe this image succinctly."},
              {"type":"image_url","image_url":{"url":"{{{_images.Url("/photo.jpg")}}}"}}]}]}
            """;
        var two = await Answers.CompleteAsync(Server, body);
        var textOnly = await Answers.CompleteAsync(Server, RealServer.ChatBody("Describe this image succinctly.", "\"max_tokens\":1", RealServer.VisionModel));

        Assert.Equal(2 * (one.PromptTokens - textOnly.PromptTokens), two.PromptTokens - textOnly.PromptTokens);
    }

    [Fact]
    public async Task A_question_about_an_earlier_image_reuses_its_cached_encoding()
    {
        var url = _images.Url("/photo.jpg");
        var first = await Answers.CompleteAsync(Server, SeedBody(url, "\"max_tokens\":6,\"temperature\":0,\"ignore_eos\":true"));
        var body = $$$"""
            {"model":"{{{RealServer.VisionModel}}}","max_tokens":4,"temperature":0,"messages":[
              {"role":"user","content":[{"type":"text","text":"Describe this image succinctly."},{"type":"image_url","image_url":{"url":"{{{url}}}"}}]},
              {"role":"assistant","content":{{{JsonSerializer.Serialize(first.Content)}}}},
              {"role":"user","content":"And its main colour?"}]}
            """;

        var second = await Answers.CompleteAsync(Server, body);

        var cached = second.Root.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        // At least the first turn's prompt, image included, came from the cache.
        Assert.True(cached >= first.PromptTokens, $"cached {cached} of the first turn's {first.PromptTokens}");
    }

    [Fact]
    public async Task Streaming_with_an_image_ends_with_usage_and_done()
    {
        var answer = await Answers.StreamAsync(Server, SeedBody(_images.Url("/pic.webp"),
            "\"max_tokens\":8,\"ignore_eos\":true,\"stream\":true,\"stream_options\":{\"include_usage\":true}"));

        Assert.True(answer.Done);
        Assert.Null(answer.Error);
        Assert.Equal("length", answer.FinishReason);
        Assert.Equal(8, answer.Chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task The_openai_sdk_sends_an_image_part_that_the_model_sees()
    {
        var client = new ChatClient(RealServer.VisionModel, new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(Server.Server.BaseAddress + "v1") });
        var message = new UserChatMessage(
            ChatMessageContentPart.CreateTextPart("Describe this image succinctly."),
            ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(ImageHost.RedPng), "image/png"));

        ChatCompletion completion = await client.CompleteChatAsync([message], new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0 });
        var viaCurl = await Answers.CompleteAsync(Server, SeedBody(_images.Url("/red.png"), "\"max_tokens\":12,\"temperature\":0"));

        Assert.Equal(viaCurl.PromptTokens, completion.Usage.InputTokenCount);
    }

    [Fact]
    public async Task An_image_for_the_text_only_model_is_a_400_and_the_server_goes_on()
    {
        var body = SeedBody(_images.Url("/red.png")).Replace(RealServer.VisionModel, RealServer.Model, StringComparison.Ordinal);

        using var response = await Server.PostChatAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(12, (await Answers.CompleteAsync(Server, SeedBody(_images.Url("/red.png")))).CompletionTokens);
    }

    [Fact]
    public async Task Non_image_bytes_are_a_400_naming_the_part()
    {
        using var response = await Server.PostChatAsync(SeedBody(_images.Url("/page.html")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("messages[0].content[1].image_url.url", error.GetProperty("param").GetString());
    }
}
