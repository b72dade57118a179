using Google.Protobuf;
using Nexa.Engine.Text;
using Nexa.Runner.Protos;
using WireChatMessage = Nexa.Runner.Protos.ChatMessage;
using TextDelta = Nexa.Engine.Text.TextDelta;
using WireFinishReason = Nexa.Runner.Protos.FinishReason;

namespace Nexa.Runner.Wire;

/// <summary>Engine types ↔ protobuf messages, both directions, so each side speaks only the engine's types.</summary>
internal static class RunnerWire
{
    public static GenerateRequest ToWire(ChatRequest request)
    {
        var sampling = request.Sampling;
        var wireSampling = new Sampling
        {
            Temperature = sampling.Temperature,
            TopP = sampling.TopP,
            TopK = sampling.TopK,
            MinP = sampling.MinP,
            RepetitionPenalty = sampling.RepetitionPenalty,
            PresencePenalty = sampling.PresencePenalty,
            FrequencyPenalty = sampling.FrequencyPenalty,
        };
        if (sampling.Seed is { } seed)
            wireSampling.Seed = seed;
        foreach (var (token, bias) in sampling.LogitBias)
            wireSampling.LogitBias[token] = bias;

        var wire = new GenerateRequest
        {
            Sampling = wireSampling,
            EnableThinking = request.EnableThinking,
            IgnoreEos = request.IgnoreEos,
        };
        if (request.MaxTokens is { } maxTokens)
            wire.MaxTokens = maxTokens;
        wire.Stop.AddRange(request.Stop);
        foreach (var message in request.Messages)
        {
            var wireMessage = new WireChatMessage { Role = message.Role, Content = message.Content };
            foreach (var image in message.Images)
            {
                // Wrapped, not copied: the server holds up to ImageLimits.MaxBytesPerRequest of images per request, once.
                wireMessage.Images.Add(new Protos.ChatImage
                {
                    Data = UnsafeByteOperations.UnsafeWrap(image.Data),
                    Position = image.Position,
                    Param = image.Param ?? "",
                    MaxLength = image.MaxLength,
                });
            }
            ToolWire.AddTo(wireMessage, message);
            wire.Messages.Add(wireMessage);
        }
        ToolWire.AddTo(wire, request);
        return wire;
    }

    public static ChatRequest FromWire(GenerateRequest wire)
    {
        var sampling = wire.Sampling is { } s
            ? new SamplingOptions
            {
                Temperature = s.Temperature,
                TopP = s.TopP,
                TopK = s.TopK,
                MinP = s.MinP,
                RepetitionPenalty = s.RepetitionPenalty,
                PresencePenalty = s.PresencePenalty,
                FrequencyPenalty = s.FrequencyPenalty,
                Seed = s.HasSeed ? s.Seed : null,
                LogitBias = new Dictionary<int, float>(s.LogitBias),
            }
            : new SamplingOptions();
        var request = new ChatRequest
        {
            Messages = [.. wire.Messages.Select(m => ToolWire.Complete(m, new Engine.Text.ChatMessage(m.Role, m.Content)
            {
                Images = [.. m.Images.Select(i => new Engine.Text.ChatImage(i.Data.ToByteArray(), i.Position)
                {
                    Param = i.Param.Length == 0 ? null : i.Param,
                    MaxLength = i.MaxLength == 0 ? Engine.Vision.ImageLimits.DefaultMaxLength : i.MaxLength,
                })],
            }))],
            Sampling = sampling,
            MaxTokens = wire.HasMaxTokens ? wire.MaxTokens : null,
            Stop = [.. wire.Stop],
            EnableThinking = wire.EnableThinking,
            IgnoreEos = wire.IgnoreEos,
        };
        return ToolWire.Complete(wire, request);
    }

    public static GenerateEvent ToWire(GenerationEvent generationEvent) => generationEvent switch
    {
        TextDelta delta => new GenerateEvent { Delta = new Protos.TextDelta { Text = delta.Text, IsReasoning = delta.IsReasoning } },
        Engine.Text.ToolCallDelta call => new GenerateEvent { ToolCall = ToolWire.ToWire(call) },
        GenerationFinished finished => new GenerateEvent
        {
            Finished = new Finished
            {
                Reason = finished.Reason switch
                {
                    Engine.Text.FinishReason.Length => WireFinishReason.Length,
                    Engine.Text.FinishReason.ToolCalls => WireFinishReason.ToolCalls,
                    _ => WireFinishReason.Stop,
                },
                PromptTokens = finished.PromptTokens,
                CompletionTokens = finished.CompletionTokens,
                TimeToFirstTokenUs = ToMicroseconds(finished.TimeToFirstToken),
                ElapsedUs = ToMicroseconds(finished.Elapsed),
                CachedTokens = finished.CachedTokens,
            },
        },
        _ => throw new ArgumentException($"unknown generation event {generationEvent.GetType().Name}", nameof(generationEvent)),
    };

    /// <summary>Null for an event this build does not know (a newer runner); the caller skips it.</summary>
    public static GenerationEvent? FromWire(GenerateEvent wire) => wire.EventCase switch
    {
        GenerateEvent.EventOneofCase.Delta => new TextDelta(wire.Delta.Text, wire.Delta.IsReasoning),
        GenerateEvent.EventOneofCase.ToolCall => ToolWire.FromWire(wire.ToolCall),
        GenerateEvent.EventOneofCase.Finished => new GenerationFinished(
            wire.Finished.Reason switch
            {
                WireFinishReason.Length => Engine.Text.FinishReason.Length,
                WireFinishReason.ToolCalls => Engine.Text.FinishReason.ToolCalls,
                _ => Engine.Text.FinishReason.Stop,
            },
            wire.Finished.PromptTokens,
            wire.Finished.CompletionTokens,
            TimeSpan.FromMicroseconds(wire.Finished.TimeToFirstTokenUs),
            TimeSpan.FromMicroseconds(wire.Finished.ElapsedUs)) { CachedTokens = wire.Finished.CachedTokens },
        _ => null,
    };

    public static InfoReply ToWire(TextModelInfo info)
    {
        var reply = new InfoReply
        {
            Path = info.Path,
            ContextSize = info.ContextSize,
            TrainingContextSize = info.TrainingContextSize,
            VocabularySize = info.VocabularySize,
            HasChatTemplate = info.HasChatTemplate,
            ProcessId = Environment.ProcessId,
            HasVision = info.HasVision,
        };
        if (info.Architecture is { } architecture)
            reply.Architecture = architecture;
        if (info.Embedding is { } embedding)
            reply.Embedding = EmbeddingWire.ToWire(embedding);
        if (info.Image is { } image)
            reply.Image = ImageWire.ToWire(image);
        return reply;
    }

    public static TextModelInfo FromWire(InfoReply wire) => new(
        wire.Path,
        wire.HasArchitecture ? wire.Architecture : null,
        wire.ContextSize,
        wire.TrainingContextSize,
        wire.VocabularySize,
        wire.HasChatTemplate)
    {
        Embedding = wire.Embedding is { } embedding ? EmbeddingWire.FromWire(embedding) : null,
        HasVision = wire.HasVision,
        Image = wire.Image is { } image ? ImageWire.FromWire(image) : null,
    };

    private static long ToMicroseconds(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMicrosecond;
}
