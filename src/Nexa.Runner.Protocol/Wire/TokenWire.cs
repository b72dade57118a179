using Google.Protobuf;
using Nexa.Runner.Protos;
using EngineTokenizeRequest = Nexa.Engine.Text.TokenizeRequest;
using EngineTokenPiece = Nexa.Engine.Text.TokenPiece;

namespace Nexa.Runner.Wire;

/// <summary>Tokenization requests and answers: engine types ↔ protobuf.</summary>
internal static class TokenWire
{
    public static TokenizeRequest ToWire(EngineTokenizeRequest request) =>
        new() { Text = request.Text, AddSpecial = request.AddSpecial, ParseSpecial = request.ParseSpecial };

    public static EngineTokenizeRequest FromWire(TokenizeRequest wire) => new(wire.Text, wire.AddSpecial, wire.ParseSpecial);

    public static TokenizeReply ToWire(IReadOnlyList<EngineTokenPiece> tokens)
    {
        var reply = new TokenizeReply();
        reply.Tokens.AddRange(tokens.Select(t => new TokenPiece { Id = t.Id, Piece = ByteString.CopyFrom(t.Bytes) }));
        return reply;
    }

    public static IReadOnlyList<EngineTokenPiece> FromWire(TokenizeReply wire) =>
        [.. wire.Tokens.Select(t => new EngineTokenPiece(t.Id, t.Piece.ToByteArray()))];
}
