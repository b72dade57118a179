using System.Net;
using System.Text.Json;
using Nexa.Hub.Store;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Integration;

/// <summary>
/// The real server's tiny chat model, plus models written with templates of their own (one that prints tools and
/// request variables, one that raises) and an embedder, added to the store while it runs.
/// </summary>
public sealed class ApplyTemplateServerFixture : IAsyncLifetime
{
    public const string ToolsModel = "tiny/tools";
    public const string StrictModel = "tiny/strict";
    public const string Embedder = "tiny/bert";

    /// <summary>ChatML, after a system turn listing the tools as a real template does, then the request's variables.</summary>
    public const string ToolsTemplate =
        "{% if tools %}{{ '<|im_start|>system\\n# Tools\\n' }}{% for t in tools %}{{ t.function.name + ': ' + t.function.description + ' ' + (t.function.parameters | tojson) + '\\n' }}{% endfor %}{{ '<|im_end|>\\n' }}{% endif %}"
        + TinyModels.ChatMlTemplate
        + "{% if greeting is defined %}{{ greeting }}{% endif %}{% if enable_thinking %}{{ '<think>\\n' }}{% endif %}";

    public const string StrictTemplate =
        "{% if messages[0].role != 'user' %}{{ raise_exception('Conversations must start with a user turn!') }}{% endif %}" + TinyModels.ChatMlTemplate;

    public RealServer Server { get; private set; } = null!;

    /// <summary>The GGUF the runner of <see cref="StrictModel"/> loads.</summary>
    public string StrictModelPath { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RealServer.StartAsync();
        RealServer.AddModel(Server.Store, ToolsModel, TinyModels.WriteChatModel(Server.TempPath("tools.gguf"), chatTemplate: ToolsTemplate));
        StrictModelPath = RealServer.AddModel(Server.Store, StrictModel, TinyModels.WriteChatModel(Server.TempPath("strict.gguf"), chatTemplate: StrictTemplate));
        RealServer.AddModel(Server.Store, Embedder, TinyBertModels.WriteEmbeddingModel(Server.TempPath("bert.gguf")), modelType: ModelTypes.Embedder);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// <c>POST /apply-template</c> through a real runner: the GGUF's own template rendered by the engine, and the prompt
/// it answers is the one a chat really feeds the model.
/// </summary>
public sealed class ApplyTemplateThroughRunnerTests(ApplyTemplateServerFixture fixture) : IClassFixture<ApplyTemplateServerFixture>
{
    private const string SystemAndUser = """[{"role":"system","content":"You are terse."},{"role":"user","content":"Is the heater on?"}]""";

    private RealServer Server => fixture.Server;

    private async Task<JsonElement> PostAsync(string path, string json, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Server.Http.PostAsync(path, RealServer.Json(json));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<string> PromptAsync(string messages, string extra = "", string model = RealServer.Model) =>
        (await PostAsync("/apply-template", Body(messages, extra, model))).Str("prompt")!;

    private static string Body(string messages, string extra = "", string model = RealServer.Model) =>
        $$"""{"model":"{{model}}","messages":{{messages}}{{(extra.Length > 0 ? "," + extra : "")}}}""";

    [Fact]
    public async Task A_system_and_user_chat_is_the_chatml_text_ending_in_the_assistants_turn()
    {
        var prompt = await PromptAsync(SystemAndUser);

        Assert.Equal("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nIs the heater on?<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    [Fact]
    public async Task The_prompt_tokenized_with_special_tokens_is_what_a_chat_feeds_the_model()
    {
        var prompt = await PromptAsync(SystemAndUser);
        var tokens = (await PostAsync("/tokenize", $$"""{"model":"{{RealServer.Model}}","content":{{JsonSerializer.Serialize(prompt)}},"add_special":true,"parse_special":true}"""))
            .GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToList();
        var chat = await PostAsync("/v1/chat/completions", Body(SystemAndUser, "\"max_tokens\":1"));

        // The template prints no BOS; the vocabulary adds one (add_bos_token), in a chat as in /tokenize with add_special.
        Assert.DoesNotContain("<s>", prompt);
        Assert.Equal(TinyModels.BosId, tokens[0]);
        Assert.Equal(3, tokens.Count(t => t == TinyModels.ImStartId));
        Assert.Equal(chat.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), tokens.Count);
    }

    [Fact]
    public async Task User_text_that_spells_a_control_token_is_shown_as_it_was_sent()
    {
        var prompt = await PromptAsync("""[{"role":"user","content":"say <|im_end|> please"}]""");

        Assert.Equal("<|im_start|>user\nsay <|im_end|> please<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    [Fact]
    public async Task Tools_template_kwargs_and_the_thinking_switch_are_where_the_template_prints_them()
    {
        const string tools = """ "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}] """;

        var prompt = await PromptAsync("""[{"role":"user","content":"Paris?"}]""",
            tools + ""","chat_template_kwargs":{"greeting":"Bonjour"},"enable_think":true""", ApplyTemplateServerFixture.ToolsModel);

        Assert.Equal(
            "<|im_start|>system\n# Tools\nget_weather: Weather in a city {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}\n<|im_end|>\n" +
            "<|im_start|>user\nParis?<|im_end|>\n<|im_start|>assistant\nBonjour<think>\n", prompt);
    }

    [Fact]
    public async Task A_template_that_raises_is_400_chat_template_error_and_its_runner_serves_on()
    {
        const string userFirst = """[{"role":"user","content":"Hi"}]""";
        var accepted = await PromptAsync(userFirst, model: ApplyTemplateServerFixture.StrictModel);
        var runners = Server.RunnerPids(fixture.StrictModelPath);

        var error = (await PostAsync("/apply-template", Body(SystemAndUser, model: ApplyTemplateServerFixture.StrictModel), HttpStatusCode.BadRequest)).GetProperty("error");

        Assert.Equal("chat_template_error", error.Str("code"));
        Assert.Equal("messages", error.Str("param"));
        Assert.EndsWith("Conversations must start with a user turn!", error.Str("message"));
        Assert.Single(runners);
        Assert.Equal(runners, Server.RunnerPids(fixture.StrictModelPath));
        Assert.Equal(accepted, await PromptAsync(userFirst, model: ApplyTemplateServerFixture.StrictModel));
    }

    [Fact]
    public async Task A_bad_body_is_the_same_400_as_for_a_chat()
    {
        var body = Body("""[{"role":"wizard","content":"Hi"}]""");

        var chat = await PostAsync("/v1/chat/completions", body, HttpStatusCode.BadRequest);
        var error = await PostAsync("/apply-template", body, HttpStatusCode.BadRequest);

        Assert.Equal(chat.ToString(), error.ToString());
    }

    [Fact]
    public async Task An_embedder_is_400_model_not_supported()
    {
        var error = (await PostAsync("/apply-template", Body(SystemAndUser, model: ApplyTemplateServerFixture.Embedder), HttpStatusCode.BadRequest)).GetProperty("error");

        Assert.Equal("model_not_supported", error.Str("code"));
        Assert.Equal("model", error.Str("param"));
    }

    [Fact]
    public async Task A_model_that_is_not_pulled_is_404()
    {
        var error = (await PostAsync("/apply-template", Body(SystemAndUser, model: RealServer.MissingModel), HttpStatusCode.NotFound)).GetProperty("error");

        Assert.Equal("model_not_found", error.Str("code"));
    }
}
