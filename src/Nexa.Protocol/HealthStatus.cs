namespace Nexa.Protocol;

/// <summary>
/// <c>GET /health</c>: always "ok" while the server answers, with the models loaded now (<see cref="Models"/>, the
/// keys only, as before) and what each holds (<see cref="Loaded"/>: slots, queue, cache, memory).
/// </summary>
public sealed record HealthStatus(string Status, IReadOnlyList<string> Models)
{
    public IReadOnlyList<LoadedModelHealth> Loaded { get; init; } = [];

    /// <summary>The memory budget for loaded models in bytes; null when there is none.</summary>
    public long? MemoryBudgetBytes { get; init; }

    /// <summary>What the loaded models are estimated to take together.</summary>
    public long EstimatedBytes { get; init; }
}

/// <summary>One model in the server's table.</summary>
public sealed record LoadedModelHealth
{
    /// <summary>org/repo:QUANT</summary>
    public required string Model { get; init; }

    public required string Type { get; init; }

    /// <summary>"loading" or "loaded".</summary>
    public required string State { get; init; }

    /// <summary>Generations it runs at once.</summary>
    public int Slots { get; init; }

    /// <summary>Slots held by requests now (the server's count).</summary>
    public int SlotsBusy { get; init; }

    /// <summary>Requests waiting for a slot.</summary>
    public int Queued { get; init; }

    /// <summary>Sequences the engine is running now (its own count; equals <see cref="SlotsBusy"/> at rest).</summary>
    public int? ActiveSequences { get; init; }

    /// <summary>Requests inside the engine waiting for a sequence.</summary>
    public int? EngineQueued { get; init; }

    /// <summary>KV cells in use (running requests and the prompt cache).</summary>
    public int? CacheTokens { get; init; }

    /// <summary>KV cells the model's context has.</summary>
    public int? ContextSize { get; init; }

    /// <summary>Resident memory of the model's runner process.</summary>
    public long? ResidentBytes { get; init; }

    /// <summary>What the memory budget counts for it.</summary>
    public long EstimatedBytes { get; init; }

    /// <summary>When it unloads if it stays idle (null while in use).</summary>
    public DateTimeOffset? UnloadsAt { get; init; }
}
