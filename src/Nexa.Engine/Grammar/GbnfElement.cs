namespace Nexa.Engine.Grammar;

/// <summary>The kinds of a compiled GBNF element, as llama.cpp's <c>llama_gretype</c> numbers them.</summary>
public enum GbnfElementType
{
    /// <summary>End of a rule.</summary>
    End = 0,

    /// <summary>Start of the next alternate of a rule.</summary>
    Alternate = 1,

    /// <summary>A reference to the rule whose id is the value.</summary>
    RuleReference = 2,

    /// <summary>A character (or the first of a class); the value is its code point.</summary>
    Char = 3,

    /// <summary>The first character of a negated class <c>[^…]</c>.</summary>
    CharNot = 4,

    /// <summary>Upper end of a range whose lower end is the element before it.</summary>
    CharRangeUpper = 5,

    /// <summary>One more character of the class begun before it.</summary>
    CharAlternate = 6,

    /// <summary><c>.</c>: any character.</summary>
    CharAny = 7,

    /// <summary>A token by id (<c>&lt;[id]&gt;</c> or <c>&lt;|text|&gt;</c>).</summary>
    Token = 8,

    /// <summary>Any token but the one whose id is the value (<c>!&lt;…&gt;</c>).</summary>
    TokenNot = 9,
}

/// <summary>One element of a compiled rule.</summary>
public readonly record struct GbnfElement(GbnfElementType Type, uint Value);
