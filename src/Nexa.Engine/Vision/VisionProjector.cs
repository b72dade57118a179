using System.Security.Cryptography;
using LLama;
using LLama.Exceptions;
using LLama.Native;
using Nexa.Engine.Text;

namespace Nexa.Engine.Vision;

/// <summary>
/// A vision model's projector (mmproj GGUF) loaded through libmtmd beside its text model. It turns an image file
/// into mtmd's image chunk on the caller's thread (decode, resize, normalise) and, on the scheduler's thread,
/// encodes a chunk and decodes its embeddings into one sequence of the text model's context.
/// </summary>
internal sealed class VisionProjector : IDisposable
{
    private readonly MtmdWeights _mtmd;
    private int _encodes;

    private VisionProjector(MtmdWeights mtmd, string marker)
    {
        _mtmd = mtmd;
        Marker = marker;
    }

    /// <summary>mtmd's media marker: the only text mtmd is ever asked to tokenize, so user text never reaches it.</summary>
    public string Marker { get; }

    /// <summary>Images encoded so far (for tests: a prefix-cache hit encodes nothing).</summary>
    public int ImageEncodes => Volatile.Read(ref _encodes);

    /// <summary>
    /// Loads the projector for <paramref name="text"/>. A missing, corrupt or mismatched file (another model's
    /// projector) is <see cref="EngineErrorKind.LoadFailed"/> with mtmd's own reason.
    /// </summary>
    public static async Task<VisionProjector> LoadAsync(string mmprojPath, LLamaWeights text, EngineOptions options, CancellationToken ct)
    {
        if (!File.Exists(mmprojPath))
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"vision projector file not found: {mmprojPath}");
        }

        NativeLogging.EnsureActive();
        // Any mtmd call loads libmtmd; only then can its log be routed to us.
        var marker = NativeApi.MtmdDefaultMarker() ?? "<__media__>";
        MtmdLog.EnsureInstalled();
        var parameters = MtmdContextParams.Default();
        parameters.UseGpu = options.GpuLayers != 0;
        parameters.NThreads = options.Threads == 0 ? Environment.ProcessorCount : options.Threads;
        parameters.PrintTimings = false;
        parameters.MediaMarker = marker;

        var mark = NativeLogging.Mark();
        MtmdWeights mtmd;
        try
        {
            mtmd = await MtmdWeights.LoadFromFileAsync(mmprojPath, text, parameters, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is LoadWeightsFailedException or RuntimeError or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new EngineException(EngineErrorKind.LoadFailed,
                $"llama.cpp could not load the vision projector {mmprojPath}: {NativeLogging.ReasonSince(mark)}", inner: e);
        }

        if (!mtmd.SupportsVision)
        {
            mtmd.Dispose();
            throw new EngineException(EngineErrorKind.LoadFailed, $"{mmprojPath} is a projector without a vision encoder (audio only?): not supported yet");
        }

        return new VisionProjector(mtmd, marker);
    }

    /// <summary>
    /// Decodes and preprocesses one image (caller's thread). <paramref name="where"/> names it in errors, e.g.
    /// "messages[0] image 1". The result holds the model's own tokens around the image (e.g. &lt;|vision_start|&gt;).
    /// </summary>
    public PromptImage Prepare(ChatImage image, string where)
    {
        if (image.Data is not { Length: > 0 })
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"{where} is empty", ErrorCodes.InvalidImage, "messages");
        }

        var hash = SHA256.HashData(image.Data);
        var mark = NativeLogging.Mark();
        using var bitmap = SafeMtmdEmbed.FromMediaBuffer(_mtmd.NativeHandle, image.Data)
            ?? throw new EngineException(EngineErrorKind.InvalidRequest,
                $"{where} could not be decoded as an image: {NativeLogging.ReasonSince(mark, maxLines: 2)}", ErrorCodes.InvalidImage, "messages");

        // Only the marker is tokenized here, with special tokens on: it is our text, never the user's, and the
        // tokens mtmd wraps around an image for this model are special ones.
        var status = _mtmd.Tokenize(Marker, addSpecial: false, parseSpecial: true, [bitmap], out var chunks);
        if (status != 0 || chunks is null)
        {
            chunks?.Dispose();
            throw new EngineException(EngineErrorKind.InvalidRequest,
                $"{where} could not be prepared for the vision projector (mtmd error {status}): {NativeLogging.ReasonSince(mark, maxLines: 2)}",
                ErrorCodes.InvalidImage, "messages");
        }

        try
        {
            return Split(chunks, hash, where);
        }
        catch
        {
            chunks.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Encodes the image and decodes its embeddings into <paramref name="sequence"/> from position
    /// <paramref name="past"/> (scheduler thread only). Returns mtmd's status (0: done) and the next free position.
    /// </summary>
    public int Evaluate(PromptImage image, SafeLLamaContextHandle context, int past, LLamaSeqId sequence, int batchSize, out int nextPosition)
    {
        Interlocked.Increment(ref _encodes);
        nextPosition = past;
        return _mtmd.NativeHandle.EvaluateChunk(image.Chunk, context, ref nextPosition, sequence.Value, batchSize, logitsLast: false);
    }

    public void Dispose() => _mtmd.Dispose();

    private static PromptImage Split(SafeMtmdInputChunks chunks, byte[] hash, string where)
    {
        var before = new List<LLamaToken>();
        var after = new List<LLamaToken>();
        SafeMtmdInputChunk? image = null;
        foreach (var chunk in chunks.Enumerate())
        {
            switch (chunk.Type)
            {
                case SafeMtmdInputChunk.SafeMtmdInputChunkType.Text:
                    foreach (var token in chunk.GetTextTokensSpan())
                    {
                        (image is null ? before : after).Add((LLamaToken)token);
                    }

                    break;
                case SafeMtmdInputChunk.SafeMtmdInputChunkType.Image when image is null:
                    image = chunk;
                    break;
                default:
                    throw new EngineException(EngineErrorKind.InvalidRequest,
                        $"{where} became more than one image chunk ({chunk.Type}): not supported yet", ErrorCodes.ModelNotSupported, "messages");
            }
        }

        if (image is null)
        {
            throw new EngineException(EngineErrorKind.Internal, $"mtmd made no image chunk for {where}");
        }

        return new PromptImage(chunks, image.NativePtr, hash, checked((int)image.NPos), checked((int)image.NTokens))
        {
            Before = [.. before],
            After = [.. after],
        };
    }
}
