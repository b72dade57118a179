using System.Text;

namespace Nexa.Engine.Templates;

/// <summary>Where a piece of rendered text came from.</summary>
public enum TextOrigin : byte
{
    /// <summary>The template's own literal text, or text the renderer made (a date, a number): may hold control tokens.</summary>
    Template,

    /// <summary>A value of the request (message content, tool results, names, arguments…): plain text, never control tokens.</summary>
    Data,

    /// <summary>An image of a message: one opaque character that stands for the image in the prompt.</summary>
    Image,
}

/// <summary>A run of characters of one origin; <see cref="Image"/> is the image's number when the origin is Image.</summary>
internal readonly record struct OriginRun(int Length, TextOrigin Origin, int Image = -1);

/// <summary>
/// A Python string that knows, character by character, where its text came from. Slicing, concatenation and the
/// string methods keep each character's origin, so text the request supplied stays data however a template cuts
/// and joins it; transformations that cannot map characters one to one (a case change that alters the length, a
/// JSON dump) mark the whole result as data as soon as any of its input was data: when in doubt, data.
/// </summary>
internal sealed class TemplateString : IEquatable<TemplateString>
{
    /// <summary>The character that stands for an image inside a string (U+FFFC, OBJECT REPLACEMENT CHARACTER).</summary>
    public const char ImageCharacter = '\uFFFC';

    public static readonly TemplateString Empty = new("", null);

    // Null: every character is template text (the common case: literals and numbers printed).
    private readonly OriginRun[]? _runs;

    private TemplateString(string text, OriginRun[]? runs)
    {
        Text = text;
        _runs = runs;
    }

    public string Text { get; }

    public int Length => Text.Length;

    /// <summary>The runs of origins in order; one Template run for template-only text.</summary>
    public IReadOnlyList<OriginRun> Runs => _runs ?? (Text.Length == 0 ? [] : [new OriginRun(Text.Length, TextOrigin.Template)]);

    /// <summary>Some character came from the request (data or an image).</summary>
    public bool HasData => _runs is not null;

    public static TemplateString Template(string text) => text.Length == 0 ? Empty : new(text, null);

    public static TemplateString Data(string text) => text.Length == 0 ? Empty : new(text, [new OriginRun(text.Length, TextOrigin.Data)]);

    public static TemplateString Of(string text, TextOrigin origin) => origin == TextOrigin.Template ? Template(text) : Data(text);

    /// <summary>Request text with images at character positions (ascending, each 0..text.Length): image i is numbered ids[i].</summary>
    public static TemplateString DataWithImages(string text, IReadOnlyList<(int Position, int Id)> images)
    {
        if (images.Count == 0)
        {
            return Data(text);
        }

        var builder = new TemplateStringBuilder();
        var cursor = 0;
        foreach (var (position, id) in images)
        {
            builder.Append(text.AsSpan(cursor, position - cursor), TextOrigin.Data);
            builder.AppendImage(id);
            cursor = position;
        }

        builder.Append(text.AsSpan(cursor), TextOrigin.Data);
        return builder.ToTemplateString();
    }

    internal static TemplateString FromRuns(string text, List<OriginRun> runs)
    {
        if (runs.Count == 0 || (runs.Count == 1 && runs[0].Origin == TextOrigin.Template))
        {
            return Template(text);
        }

        return new TemplateString(text, [.. runs]);
    }

    /// <summary>The same characters as <paramref name="text"/> (same length), all of this string's origin when uniform, else data.</summary>
    public TemplateString WithText(string text)
    {
        if (text.Length == Text.Length)
        {
            return new TemplateString(text, _runs);
        }

        return _runs is null ? Template(text) : Data(text);
    }

    /// <summary>Characters [start, start+length) with their origins.</summary>
    public TemplateString Slice(int start, int length)
    {
        if (length <= 0)
        {
            return Empty;
        }

        if (start == 0 && length == Text.Length)
        {
            return this;
        }

        var text = Text.Substring(start, length);
        if (_runs is null)
        {
            return Template(text);
        }

        var runs = new List<OriginRun>();
        var at = 0;
        var end = start + length;
        foreach (var run in _runs)
        {
            var runEnd = at + run.Length;
            var from = Math.Max(at, start);
            var to = Math.Min(runEnd, end);
            if (to > from)
            {
                runs.Add(run with { Length = to - from });
            }

            at = runEnd;
            if (at >= end)
            {
                break;
            }
        }

        return FromRuns(text, runs);
    }

    public TemplateString Slice(int start) => Slice(start, Text.Length - start);

    public static TemplateString Concat(TemplateString a, TemplateString b)
    {
        if (a.Length == 0)
        {
            return b;
        }

        if (b.Length == 0)
        {
            return a;
        }

        var builder = new TemplateStringBuilder();
        builder.Append(a);
        builder.Append(b);
        return builder.ToTemplateString();
    }

    public bool Equals(TemplateString? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is TemplateString other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    public override string ToString() => Text;
}

/// <summary>Builds a <see cref="TemplateString"/> piece by piece, merging neighbouring runs of one origin.</summary>
internal sealed class TemplateStringBuilder
{
    private readonly StringBuilder _text = new();
    private readonly List<OriginRun> _runs = [];

    public int Length => _text.Length;

    public void Append(TemplateString value)
    {
        foreach (var run in value.Runs)
        {
            AddRun(run);
        }

        _text.Append(value.Text);
    }

    public void Append(ReadOnlySpan<char> text, TextOrigin origin)
    {
        if (text.Length == 0)
        {
            return;
        }

        AddRun(new OriginRun(text.Length, origin));
        _text.Append(text);
    }

    public void AppendImage(int id)
    {
        AddRun(new OriginRun(1, TextOrigin.Image, id));
        _text.Append(TemplateString.ImageCharacter);
    }

    public TemplateString ToTemplateString() => TemplateString.FromRuns(_text.ToString(), _runs);

    private void AddRun(OriginRun run)
    {
        if (run.Length == 0)
        {
            return;
        }

        if (run.Origin != TextOrigin.Image && _runs.Count > 0 && _runs[^1].Origin == run.Origin)
        {
            _runs[^1] = _runs[^1] with { Length = _runs[^1].Length + run.Length };
            return;
        }

        _runs.Add(run);
    }
}
