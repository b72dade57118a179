namespace Nexa.Engine.Text;

/// <summary>llama-server's <c>/tokenize</c> as the engine takes it.</summary>
/// <param name="AddSpecial">Add the vocabulary's BOS (and EOS where it adds one), as a prompt would start.</param>
/// <param name="ParseSpecial">Text like <c>&lt;|im_end|&gt;</c> becomes its control token (llama-server's default).</param>
public sealed record TokenizeRequest(string Text, bool AddSpecial, bool ParseSpecial);

/// <summary>A token and its bytes (a piece may be part of a multi-byte character).</summary>
public sealed record TokenPiece(int Id, byte[] Bytes);
