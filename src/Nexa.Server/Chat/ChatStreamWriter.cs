using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Nexa.Engine.Text;
using Nexa.Protocol;
using Nexa.Protocol.Chat;
using Nexa.Server.Errors;

namespace Nexa.Server.Chat;

/// <summary>
/// A streamed answer as server-sent events, the way OpenAI sends them: a first chunk with the role, one chunk per
/// text piece, a last chunk with the finish reason, the usage chunk when asked for, then <c>[DONE]</c>.
/// </summary>
internal static class ChatStreamWriter
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public static async Task WriteAsync(HttpContext http, ChatJob job, IAsyncEnumerable<GenerationEvent> events, CompletionIds ids, ILogger log, CancellationToken ct)
    {
        await using var stream = events.GetAsyncEnumerator(ct);

        // Nothing is sent before the first event: an engine refusal (a prompt over the context) still gets its status.
        if (!await stream.MoveNextAsync())
            throw new EngineException(EngineErrorKind.Internal, "the engine ended the answer without finishing it");

        StartEventStream(http);
        await WriteChunkAsync(http, Chunk(job, ids, new ChunkDelta { Role = "assistant", Content = "" }), ct);
        try
        {
            GenerationFinished? finished = null;
            do
            {
                switch (stream.Current)
                {
                    case TextDelta { IsReasoning: true } delta:
                        await WriteChunkAsync(http, Chunk(job, ids, new ChunkDelta { ReasoningContent = delta.Text }), ct);
                        break;
                    case TextDelta delta:
                        await WriteChunkAsync(http, Chunk(job, ids, new ChunkDelta { Content = delta.Text }), ct);
                        break;
                    case ToolCallDelta call:
                        await WriteChunkAsync(http, Chunk(job, ids, new ChunkDelta { ToolCalls = [ToolCallCollector.ToWire(call)] }), ct);
                        break;
                    case GenerationFinished done:
                        finished = done;
                        break;
                }
            }
            while (finished is null && await stream.MoveNextAsync());

            if (finished is null)
                throw new EngineException(EngineErrorKind.Internal, "the engine ended the answer without finishing it");
            await WriteChunkAsync(http, Chunk(job, ids, new ChunkDelta(), FinishReasons.Wire(finished.Reason)) with { Timings = TimingsOf(finished) }, ct);
            if (job.IncludeUsage)
                await WriteChunkAsync(http, new ChatCompletionChunk { Id = ids.Id, Created = ids.Created, Model = job.Model, Choices = [], Usage = FinishReasons.Usage(finished) }, ct);
            await http.Response.Body.WriteAsync(Done, ct);
            await http.Response.Body.FlushAsync(ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Headers are gone: the error travels as one last event, then the stream ends.
            var error = ErrorTable.From(e);
            if (ErrorTable.IsUnexpected(e))
                log.LogError(e, "chat stream for {Model} failed", job.Model);
            await WriteErrorEventAsync(http, error);
        }
    }

    /// <summary>A streamed warm-up: one chunk without choices (with zero usage when asked for), then <c>[DONE]</c>.</summary>
    public static async Task WriteWarmUpAsync(HttpContext http, ChatJob job, CompletionIds ids, CancellationToken ct)
    {
        StartEventStream(http);
        var chunk = new ChatCompletionChunk { Id = ids.Id, Created = ids.Created, Model = job.Model, Choices = [] };
        await WriteChunkAsync(http, job.IncludeUsage ? chunk with { Usage = new Usage(0, 0, 0) } : chunk, ct);
        await http.Response.Body.WriteAsync(Done, ct);
        await http.Response.Body.FlushAsync(ct);
    }

    private static void StartEventStream(HttpContext http)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    // Decode speed counts the tokens after the first, over the time after it, as llama.cpp's timings do.
    private static Timings TimingsOf(GenerationFinished done)
    {
        var generating = (done.Elapsed - done.TimeToFirstToken).TotalMilliseconds;
        var perSecond = done.CompletionTokens > 1 && generating > 0 ? (done.CompletionTokens - 1) * 1000.0 / generating : 0;
        return new Timings(done.PromptTokens, done.TimeToFirstToken.TotalMilliseconds, done.CompletionTokens, generating, perSecond);
    }

    private static ChatCompletionChunk Chunk(ChatJob job, CompletionIds ids, ChunkDelta delta, string? finishReason = null) => new()
    {
        Id = ids.Id,
        Created = ids.Created,
        Model = job.Model,
        Choices = [new ChunkChoice { Delta = delta, FinishReason = finishReason }],
    };

    private static Task WriteChunkAsync(HttpContext http, ChatCompletionChunk chunk, CancellationToken ct) =>
        WriteEventAsync(http, JsonSerializer.SerializeToUtf8Bytes(chunk, ProtocolJsonContext.Wire.ChatCompletionChunk), ct);

    private static async Task WriteErrorEventAsync(HttpContext http, ApiError error)
    {
        try
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(error.ToBody(), ProtocolJsonContext.Wire.ErrorBody);
            await WriteEventAsync(http, json, http.RequestAborted);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client is gone too.
        }
    }

    private static async Task WriteEventAsync(HttpContext http, byte[] json, CancellationToken ct)
    {
        var body = http.Response.Body;
        await body.WriteAsync(DataPrefix, ct);
        await body.WriteAsync(json, ct);
        await body.WriteAsync(EventEnd, ct);
        await body.FlushAsync(ct);
    }
}
