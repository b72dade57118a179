using System.Text.Json;

namespace Nexa.Protocol.Tokens;

/// <summary>llama-server's <c>POST /tokenize</c> body, plus the <c>model</c> to use.</summary>
public sealed record TokenizeBody
{
    public string? Model { get; init; }
    public string? Content { get; init; }

    /// <summary>Add the vocabulary's BOS as a prompt would start (default false, as llama-server).</summary>
    public bool? AddSpecial { get; init; }

    /// <summary>Text like <c>&lt;|im_end|&gt;</c> becomes its control token (default true, as llama-server).</summary>
    public bool? ParseSpecial { get; init; }

    /// <summary>Answer <c>{"id","piece"}</c> per token instead of bare ids.</summary>
    public bool? WithPieces { get; init; }
}

/// <summary><c>{"tokens":[ids]}</c>, or with pieces <c>{"tokens":[{"id","piece"}]}</c>.</summary>
public sealed record TokenizeResponse(IReadOnlyList<JsonElement> Tokens);

/// <summary>llama-server's <c>POST /detokenize</c> body, plus the <c>model</c> to use.</summary>
public sealed record DetokenizeBody
{
    public string? Model { get; init; }
    public IReadOnlyList<int>? Tokens { get; init; }
}

public sealed record DetokenizeResponse(string Content);
