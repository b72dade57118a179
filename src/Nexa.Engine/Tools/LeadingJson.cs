namespace Nexa.Engine.Tools;

/// <summary>
/// For families whose call is the answer itself, a JSON object (Llama 3, the generic format): a look at the start
/// of the answer to see whether it is an object and what its first member is called, before anything is shown.
/// A ```json fence around the object is allowed (models add one unasked).
/// </summary>
internal static class LeadingJson
{
    public const string Fence = "```";
    private const int LongestKey = 64;

    /// <summary>
    /// Full with the first member's name when <paramref name="text"/> is (whitespace, a fence,) <c>{ "key"</c>;
    /// Partial while it may still become one; None when it cannot.
    /// </summary>
    /// <param name="objectStart">Where the object's opening brace is (valid with Full).</param>
    public static Markup.Match FirstKey(string text, out string key, out int objectStart)
    {
        key = "";
        objectStart = -1;
        var i = SkipSpace(text, 0);
        if (i == text.Length)
        {
            return Markup.Match.Partial;
        }

        if (text[i] == '`')
        {
            var fence = Markup.StartsWith(text[i..], Fence);
            if (fence != Markup.Match.Full)
            {
                return fence;
            }

            i += Fence.Length;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            i = SkipSpace(text, i);
            if (i == text.Length)
            {
                return Markup.Match.Partial;
            }
        }

        if (text[i] != '{')
        {
            return Markup.Match.None;
        }

        objectStart = i;
        i = SkipSpace(text, i + 1);
        if (i == text.Length)
        {
            return Markup.Match.Partial;
        }

        if (text[i] != '"')
        {
            return Markup.Match.None;
        }

        var close = text.IndexOf('"', i + 1);
        if (close < 0)
        {
            return text.Length - i > LongestKey ? Markup.Match.None : Markup.Match.Partial;
        }

        key = text[(i + 1)..close];
        return Markup.Match.Full;
    }

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }
}
