using Nexa.Engine.Grammar;

namespace Nexa.Tests.Engine.Grammar;

public sealed class GbnfMatcherTests
{
    [Theory]
    [InlineData("root ::= \"yes\" | \"no\"", "yes", true)]
    [InlineData("root ::= \"yes\" | \"no\"", "ye", false)]
    [InlineData("root ::= [a-c]{2,3}", "abc", true)]
    [InlineData("root ::= [a-c]{2,3}", "abca", false)]
    [InlineData("root ::= [^a-c]+", "xyz", true)]
    [InlineData("root ::= [^a-c]+", "xaz", false)]
    [InlineData("root ::= . \"!\"", "é!", true)]
    [InlineData("root ::= list\nlist ::= \"[\" (item (\",\" item)*)? \"]\"\nitem ::= list | [0-9]", "[1,[2,[]],3]", true)]
    [InlineData("root ::= list\nlist ::= \"[\" (item (\",\" item)*)? \"]\"\nitem ::= list | [0-9]", "[1,[2,]", false)]
    [InlineData("root ::= \"😀\"*", "😀😀", true)]
    public void Matches_whole_strings(string grammar, string text, bool matches)
    {
        Assert.Equal(matches, GbnfMatcher.Matches(GbnfGrammar.Parse(grammar), text));
    }

    [Fact]
    public void Tells_a_viable_prefix_from_a_dead_end()
    {
        var matcher = new GbnfMatcher(GbnfGrammar.Parse("root ::= \"{\" [0-9]+ \"}\""));

        Assert.True(matcher.Accept("{12"));
        Assert.False(matcher.IsComplete);
        Assert.True(matcher.Accept("}"));
        Assert.True(matcher.IsComplete);
        Assert.False(matcher.Accept("x"));
    }
}
