using System.Globalization;

namespace Nexa.Hub;

public static class Bytes
{
    /// <summary>1536 → "1.5 KB": binary multiples with the short names people read in file managers.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    /// <summary>
    /// "12GiB", "12 GB", "800M", "1.5g", "4096" (bytes) → bytes. K/M/G/T are binary multiples with or without "i"
    /// and "B", as <see cref="Format"/> writes them.
    /// </summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim();
        var end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.'))
            end++;
        if (!double.TryParse(s.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            return false;
        var unit = s[end..].Trim().ToUpperInvariant().Replace("IB", "", StringComparison.Ordinal).TrimEnd('B');
        int shift;
        switch (unit)
        {
            case "": shift = 0; break;
            case "K": shift = 10; break;
            case "M": shift = 20; break;
            case "G": shift = 30; break;
            case "T": shift = 40; break;
            default: return false;
        }
        var value = number * Math.Pow(2, shift);
        if (value is < 0 or > long.MaxValue / 2)
            return false;
        bytes = (long)value;
        return true;
    }
}
