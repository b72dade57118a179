using System.Text;
using Nexa.Engine.Grammar;

namespace Nexa.Tests.Engine.Grammar;

public sealed class GrammarTriggersTests
{
    private static readonly GbnfGrammar Call = GbnfGrammar.Parse("root ::= \"<call>\" [a-z]+ \"</call>\"");

    private static bool Feed(GrammarTriggers triggers, int token, string piece) => triggers.TryAccept(token, Encoding.UTF8.GetBytes(piece));

    [Fact]
    public void Free_text_leaves_the_grammar_waiting()
    {
        var triggers = new GrammarTriggers(Call, ["<call>"], []);

        Assert.True(Feed(triggers, 1, "Hello "));
        Assert.True(Feed(triggers, 2, "<ca"));
        Assert.False(triggers.Triggered);
    }

    [Fact]
    public void A_word_split_across_tokens_fires_and_replays_from_the_word()
    {
        var triggers = new GrammarTriggers(Call, ["<call>"], []);

        Assert.True(Feed(triggers, 1, "Sure: <ca"));
        Assert.True(Feed(triggers, 2, "ll>ab"));
        Assert.True(triggers.Triggered);
    }

    [Fact]
    public void A_trigger_whose_replay_the_grammar_refuses_is_not_accepted()
    {
        var triggers = new GrammarTriggers(Call, ["<call>"], []);

        // "<call>9" cannot continue the grammar ([a-z]+ must follow): llama.cpp would abort replaying it.
        Assert.False(Feed(triggers, 1, "<call>9"));
        Assert.False(triggers.Triggered);
        // Nothing was kept of the refused token: the next one is judged afresh.
        Assert.True(Feed(triggers, 2, "<call>x"));
        Assert.True(triggers.Triggered);
    }

    [Fact]
    public void A_trigger_token_replays_its_own_piece()
    {
        var byToken = GbnfGrammar.Parse("root ::= <[77]> \"{\"");
        var triggers = new GrammarTriggers(byToken, [], [77]);

        Assert.True(Feed(triggers, 5, "text"));
        Assert.False(triggers.Triggered);
        Assert.True(Feed(triggers, 77, "<tool_call>"));
        Assert.True(triggers.Triggered);
    }

    [Theory]
    [InlineData("<tool_call>", "<tool_call>")]
    [InlineData("a.b*(c)", "a\\.b\\*\\(c\\)")]
    [InlineData("[x]{2}|^$\\", "\\[x\\]\\{2\\}\\|\\^\\$\\\\")]
    public void A_word_becomes_a_literal_pattern(string word, string pattern)
    {
        Assert.Equal(pattern, GrammarTriggers.Pattern(word));
    }
}
