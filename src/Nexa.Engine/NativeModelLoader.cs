using LLama;
using LLama.Common;
using LLama.Exceptions;
using Nexa.Engine.Text;

namespace Nexa.Engine;

/// <summary>
/// Loads weights and creates contexts so that failures become <see cref="EngineException"/>s with llama.cpp's own
/// reason (which only its log has), and a failed context allocation never reaches native code again.
/// </summary>
internal static class NativeModelLoader
{
    /// <summary>Refuses options no model can be loaded with (programming errors, not requests).</summary>
    public static void CheckOptions(EngineOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ContextSize, 16, nameof(options.ContextSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Threads, nameof(options.Threads));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, nameof(options.BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.UBatchSize, 1, nameof(options.UBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.GpuLayers, -1, nameof(options.GpuLayers));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Parallel, 1, nameof(options.Parallel));
    }

    public static async Task<LLamaWeights> LoadWeightsAsync(ModelParams parameters, CancellationToken ct)
    {
        var mark = NativeLogging.Mark();
        try
        {
            return await LLamaWeights.LoadFromFileAsync(parameters, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is LoadWeightsFailedException or RuntimeError or IOException or UnauthorizedAccessException)
        {
            // A load cancelled halfway fails inside llama.cpp; report the cancellation, not a broken file.
            ct.ThrowIfCancellationRequested();
            throw new EngineException(EngineErrorKind.LoadFailed,
                $"llama.cpp could not load {parameters.ModelPath}: {NativeLogging.ReasonSince(mark)}", inner: e);
        }
    }

    public static LLamaContext CreateContext(LLamaWeights weights, ModelParams parameters)
    {
        var mark = NativeLogging.Mark();
        var context = weights.CreateContext(parameters);
        // A failed allocation does not throw: it returns an invalid handle that crashes the process on first use.
        if (context.NativeHandle.IsInvalid)
        {
            context.Dispose();
            throw new EngineException(EngineErrorKind.LoadFailed,
                $"llama.cpp could not create a context of {parameters.ContextSize} tokens for {parameters.ModelPath}: {NativeLogging.ReasonSince(mark)}");
        }

        return context;
    }
}
