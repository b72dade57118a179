namespace Nexa.Engine.Grammar;

/// <summary>
/// A JSON Schema the converter cannot turn into a grammar that enforces it (an unsupported keyword, a <c>$ref</c> it
/// cannot resolve, an unsatisfiable schema). <see cref="SchemaPath"/> is a JSON pointer to the keyword, e.g.
/// <c>#/properties/foo/pattern</c>. Refusing is the point: an unenforced schema would be a silently unconstrained answer.
/// </summary>
public sealed class SchemaGrammarException(string schemaPath, string reason)
    : Exception($"{schemaPath}: {reason}")
{
    public string SchemaPath { get; } = schemaPath;

    public string Reason { get; } = reason;
}
