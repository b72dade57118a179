using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Nexa.Engine.Text;

namespace Nexa.Engine.Images;

/// <summary>
/// A Stable Diffusion pipeline (SD 1.x / 2.x / Turbo, SDXL / SDXL-Turbo) on ONNX Runtime, loaded from a diffusers
/// Optimum ONNX folder. One generation runs at a time (the sessions already use every core); later callers wait.
/// Image i of a request starts from seed + i, so each image can be reproduced alone.
/// </summary>
public sealed class StableDiffusionPipeline : ILoadedModel
{
    private const int MaxImages = ImageGenerationLimits.MaxImages;
    private const int MaxSteps = ImageGenerationLimits.MaxSteps;

    private readonly PipelineFolder _folder;
    private readonly SessionOptions _options;
    private readonly PromptEncoder _prompts;
    private readonly Denoiser _denoiser;
    private readonly LatentDecoder _decoder;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;

    private StableDiffusionPipeline(PipelineFolder folder, SessionOptions options, PromptEncoder prompts, Denoiser denoiser, LatentDecoder decoder)
    {
        _folder = folder;
        _options = options;
        _prompts = prompts;
        _denoiser = denoiser;
        _decoder = decoder;
        var size = denoiser.StaticLatentSize;
        var sdxl = folder.Family == PipelineFolder.Sdxl;
        Info = new TextModelInfo(folder.Root, Architecture: null, ContextSize: 0, TrainingContextSize: 0, VocabularySize: 0, HasChatTemplate: false)
        {
            Image = new ImageModelInfo
            {
                Family = folder.Family,
                Scheduler = DiffusionScheduler.SchedulerKind(folder.Scheduler.ClassName),
                // A static export allows one size; otherwise the size the family was trained at.
                DefaultSize = size is { } s ? s.Width * 8
                    : folder.IsTurbo ? 512
                    : sdxl ? 1024
                    : folder.Scheduler.PredictionType == "v_prediction" ? 768 : 512,
                MinSize = size is { } min ? Math.Min(min.Width, min.Height) * 8 : 64,
                MaxSize = size is { } max ? Math.Max(max.Width, max.Height) * 8 : 2048,
                DefaultSteps = folder.IsTurbo ? 1 : 25,
                DefaultGuidanceScale = folder.IsTurbo ? 0f : sdxl ? 5f : 7.5f,
            },
        };
    }

    public TextModelInfo Info { get; }

    public ImageModelInfo Image => Info.Image!;

    /// <summary>Opens every stage of the pipeline at <paramref name="path"/> (a folder or its model_index.json).</summary>
    public static Task<StableDiffusionPipeline> LoadAsync(string path, EngineOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Task.Run(() => Load(path, options), ct);
    }

    public IAsyncEnumerable<GenerationEvent> GenerateAsync(ChatRequest request, CancellationToken ct) =>
        throw EngineException.ModelCannot(Path.GetFileName(Info.Path), "chat", "it is an image generation model");

    public async Task<ImageGenerationResult> GenerateImagesAsync(ImageGenerationRequest request, IProgress<ImageGenerationProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = Resolve(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return await Task.Run(() => Generate(request, settings, progress, ct), ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        // Wait for a running generation: its sessions must outlive it.
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            _prompts.Dispose();
            _denoiser.Dispose();
            _decoder.Dispose();
            _options.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private static StableDiffusionPipeline Load(string path, EngineOptions options)
    {
        var folder = PipelineFolder.Read(path);
        var sessionOptions = OnnxStage.CreateOptions(options.Threads == 0 ? Environment.ProcessorCount : options.Threads);
        var opened = new List<IDisposable>();
        try
        {
            var prompts = new PromptEncoder(folder, sessionOptions);
            opened.Add(prompts);
            var denoiser = new Denoiser(folder.Unet, sessionOptions, folder.Family == PipelineFolder.Sdxl);
            opened.Add(denoiser);
            var decoder = new LatentDecoder(folder.VaeDecoder, sessionOptions);
            return new StableDiffusionPipeline(folder, sessionOptions, prompts, denoiser, decoder);
        }
        catch
        {
            opened.ForEach(d => d.Dispose());
            sessionOptions.Dispose();
            throw;
        }
    }

    private sealed record Settings(int Steps, double Guidance, ulong Seed);

    private Settings Resolve(ImageGenerationRequest request)
    {
        var info = Image;
        foreach (var (value, name) in new[] { (request.Width, "width"), (request.Height, "height") })
        {
            if (value % 64 != 0 || value < info.MinSize || value > info.MaxSize)
            {
                throw new EngineException(EngineErrorKind.InvalidRequest, $"{name} {value} must be a multiple of 64 between {info.MinSize} and {info.MaxSize}", ErrorCodes.InvalidValue, "size");
            }
        }

        if (_denoiser.StaticLatentSize is { } fixedSize && (request.Width != fixedSize.Width * 8 || request.Height != fixedSize.Height * 8))
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"this pipeline makes {fixedSize.Width * 8}x{fixedSize.Height * 8} images only", ErrorCodes.InvalidValue, "size");
        }

        if (request.Count is < 1 or > MaxImages)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"n must be between 1 and {MaxImages}", ErrorCodes.InvalidValue, "n");
        }

        var steps = request.Steps ?? info.DefaultSteps;
        if (steps < 1 || steps > Math.Min(MaxSteps, _folder.Scheduler.TrainTimesteps))
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"steps must be between 1 and {Math.Min(MaxSteps, _folder.Scheduler.TrainTimesteps)}", ErrorCodes.InvalidValue, "steps");
        }

        double guidance = request.GuidanceScale ?? info.DefaultGuidanceScale;
        if (!double.IsFinite(guidance) || guidance < 0 || guidance > ImageGenerationLimits.MaxGuidanceScale)
        {
            throw new EngineException(EngineErrorKind.InvalidRequest, $"guidance_scale must be between 0 and {ImageGenerationLimits.MaxGuidanceScale}", ErrorCodes.InvalidValue, "guidance_scale");
        }

        return new Settings(steps, guidance, request.Seed ?? (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue));
    }

    private ImageGenerationResult Generate(ImageGenerationRequest request, Settings settings, IProgress<ImageGenerationProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var run = new RunOptions();
        // Terminate stops a graph mid-run (a UNet step of a real model takes seconds on a CPU).
        using var stop = ct.Register(() => run.Terminate = true);
        ct.ThrowIfCancellationRequested();

        var positive = _prompts.Encode(request.Prompt, run);
        PromptEmbedding? negative = null;
        if (settings.Guidance > 1)
        {
            // diffusers: SDXL with no negative prompt guides away from zeros, SD away from the empty prompt.
            negative = string.IsNullOrEmpty(request.NegativePrompt) && _folder.ForceZerosForEmptyPrompt
                ? positive.Zeros()
                : _prompts.Encode(request.NegativePrompt ?? "", run);
        }

        long[] shape = [1, _denoiser.LatentChannels, request.Height / 8, request.Width / 8];
        var images = new List<GeneratedImage>(request.Count);
        for (var image = 0; image < request.Count; image++)
        {
            var seed = unchecked(settings.Seed + (ulong)image);
            var noise = new GaussianNoise(seed);
            var scheduler = DiffusionScheduler.Create(_folder.Scheduler, settings.Steps);
            var latents = new float[shape[1] * shape[2] * shape[3]];
            noise.Fill(latents, scheduler.InitNoiseSigma);
            var input = new float[latents.Length];
            for (var step = 0; step < settings.Steps; step++)
            {
                ct.ThrowIfCancellationRequested();
                var scale = (float)scheduler.ModelInputScale(step);
                for (var i = 0; i < latents.Length; i++)
                {
                    input[i] = latents[i] * scale;
                }

                var predicted = _denoiser.Predict(input, shape, scheduler.Timesteps[step], positive, negative, settings.Guidance, request.Width, request.Height, run);
                scheduler.Step(latents, predicted, step, noise);
                progress?.Report(new ImageGenerationProgress(image, request.Count, step + 1, settings.Steps));
            }

            ct.ThrowIfCancellationRequested();
            images.Add(new GeneratedImage(_decoder.DecodeToPng(latents, shape, _folder.VaeScalingFactor, run), seed));
        }

        return new ImageGenerationResult(images, clock.Elapsed);
    }
}
