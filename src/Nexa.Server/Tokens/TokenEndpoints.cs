using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Nexa.Engine.Text;
using Nexa.Protocol;
using Nexa.Protocol.Tokens;
using Nexa.Server.Http;
using Nexa.Server.Pipeline;

namespace Nexa.Server.Tokens;

/// <summary>
/// llama-server's <c>POST /tokenize</c> and <c>POST /detokenize</c> (with a <c>model</c> field, since this server holds
/// several): the model's own vocabulary, control tokens written out. They take a slot like any request, so they
/// queue behind nothing longer than one decode step.
/// </summary>
internal sealed class TokenEndpoints(ModelPipeline pipeline)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public Task TokenizeAsync(HttpContext http) =>
        pipeline.RunAsync(http, ProtocolJsonContext.Wire.TokenizeBody, TokenizeJob.Map, async call =>
        {
            IReadOnlyList<TokenPiece> tokens;
            await using (var lease = await call.LeaseAsync())
                tokens = await lease.Model.TokenizeAsync(call.Job.Request, call.Ct);
            var items = tokens.Select(t => call.Job.WithPieces ? WithPiece(t) : JsonSerializer.SerializeToElement(t.Id, ProtocolJsonContext.Wire.Int32));
            await JsonReply.WriteAsync(http, new TokenizeResponse([.. items]), ProtocolJsonContext.Wire.TokenizeResponse);
        });

    public Task DetokenizeAsync(HttpContext http) =>
        pipeline.RunAsync(http, ProtocolJsonContext.Wire.DetokenizeBody, DetokenizeJob.Map, async call =>
        {
            string text;
            await using (var lease = await call.LeaseAsync())
                text = await lease.Model.DetokenizeAsync(call.Job.Tokens, call.Ct);
            await JsonReply.WriteAsync(http, new DetokenizeResponse(text), ProtocolJsonContext.Wire.DetokenizeResponse);
        });

    // As llama-server: the piece as a string when its bytes are whole UTF-8, else the byte values.
    private static JsonElement WithPiece(TokenPiece token)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", token.Id);
            try
            {
                writer.WriteString("piece", StrictUtf8.GetString(token.Bytes));
            }
            catch (DecoderFallbackException)
            {
                writer.WriteStartArray("piece");
                foreach (var b in token.Bytes)
                    writer.WriteNumberValue(b);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }
}
