using Nexa.Engine.Text;
using Nexa.Protocol.Tokens;
using Nexa.Server.Errors;
using Nexa.Server.Pipeline;

namespace Nexa.Server.Tokens;

internal sealed record TokenizeJob(string Model, TokenizeRequest Request, bool WithPieces) : IModelJob
{
    public ModelNeed Need { get; } = new(ModelTask.Tokenize);
    public bool IsWarmUp => false;

    public static TokenizeJob Map(TokenizeBody body) => new(
        string.IsNullOrWhiteSpace(body.Model) ? throw new ApiException(ErrorTable.MissingParameter("model")) : body.Model,
        new TokenizeRequest(body.Content ?? throw new ApiException(ErrorTable.MissingParameter("content")), body.AddSpecial ?? false, body.ParseSpecial ?? true),
        body.WithPieces ?? false);
}

internal sealed record DetokenizeJob(string Model, IReadOnlyList<int> Tokens) : IModelJob
{
    public ModelNeed Need { get; } = new(ModelTask.Tokenize);
    public bool IsWarmUp => false;

    public static DetokenizeJob Map(DetokenizeBody body) => new(
        string.IsNullOrWhiteSpace(body.Model) ? throw new ApiException(ErrorTable.MissingParameter("model")) : body.Model,
        body.Tokens ?? throw new ApiException(ErrorTable.MissingParameter("tokens")));
}
