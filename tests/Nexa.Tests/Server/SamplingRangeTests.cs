using System.Globalization;
using System.Net;
using Nexa.Engine.Text;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Server;

/// <summary>
/// One range per sampling field: a value the server lets through is one the engine takes, and a value the server
/// refuses is refused with a code and the field's name. (repetition_penalty once passed the server up to 10 and then
/// failed in the engine above 2, with no code.)
/// </summary>
public sealed class SamplingRangeTests : IAsyncLifetime
{
    private ServerHarness _server = null!;

    public async Task InitializeAsync() => _server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, double, bool> Values => new()
    {
        { "temperature", 0, true }, { "temperature", 2, true }, { "temperature", 2.01, false }, { "temperature", -0.01, false },
        { "top_p", 1, true }, { "top_p", 1.01, false },
        { "min_p", 0, true }, { "min_p", -0.01, false },
        { "repetition_penalty", 2, true }, { "repetition_penalty", 2.5, false }, { "repetition_penalty", 10, false }, { "repetition_penalty", 0, false },
        { "presence_penalty", -2, true }, { "presence_penalty", 2.01, false },
        { "frequency_penalty", 2, true }, { "frequency_penalty", -2.01, false },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public async Task The_server_and_the_engine_take_the_same_values(string param, double value, bool valid)
    {
        var extra = $"\"{param}\":{value.ToString(CultureInfo.InvariantCulture)}";
        using var response = await _server.PostChatAsync(ServerHarness.ChatBody(extra: extra));
        var engine = Record.Exception(() => SamplerFactory.Validate(With(param, (float)value), vocabularySize: 100));

        if (valid)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Null(engine);
        }
        else
        {
            var error = await Wire.ErrorAsync(response, HttpStatusCode.BadRequest);
            Assert.Equal((param, "invalid_value"), (error.Str("param"), error.Str("code")));
            var refused = Assert.IsType<EngineException>(engine);
            Assert.Equal((param, "invalid_value"), (refused.Param, refused.Code));
        }
    }

    private static SamplingOptions With(string param, float value) => param switch
    {
        "temperature" => new SamplingOptions { Temperature = value },
        "top_p" => new SamplingOptions { TopP = value },
        "min_p" => new SamplingOptions { MinP = value },
        "repetition_penalty" => new SamplingOptions { RepetitionPenalty = value },
        "presence_penalty" => new SamplingOptions { PresencePenalty = value },
        _ => new SamplingOptions { FrequencyPenalty = value },
    };
}
