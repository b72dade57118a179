using Nexa.Hub;

namespace Nexa.Tests.Hub;

public sealed class BytesTests
{
    [Theory]
    [InlineData("12GiB", 12L << 30)]
    [InlineData("12 GB", 12L << 30)]
    [InlineData("12g", 12L << 30)]
    [InlineData("800M", 800L << 20)]
    [InlineData("800MiB", 800L << 20)]
    [InlineData("1.5GB", 3L << 29)]
    [InlineData("4096", 4096)]
    [InlineData("4096B", 4096)]
    [InlineData("2T", 2L << 40)]
    public void Sizes_parse_as_binary_multiples(string text, long expected)
    {
        Assert.True(Bytes.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GB")]
    [InlineData("12 parsecs")]
    [InlineData("-5G")]
    [InlineData("9999999999T")]
    public void Other_text_is_not_a_size(string text) => Assert.False(Bytes.TryParse(text, out _));

    [Fact]
    public void A_formatted_size_parses_back() => Assert.True(Bytes.TryParse(Bytes.Format(3L << 30), out var bytes) && bytes == 3L << 30);
}
