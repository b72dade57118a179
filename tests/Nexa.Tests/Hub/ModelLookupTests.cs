using Nexa.Hub;
using Nexa.Hub.Store;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Hub;

/// <summary>Names as users type them: any case finds a pulled model, a typo finds the nearest ones.</summary>
public sealed class ModelLookupTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ModelStore _store;

    public ModelLookupTests()
    {
        _store = new ModelStore(_dir.Path);
        foreach (var id in (string[])["me/tiny", "Qwen/Qwen3-0.6B-GGUF", "NexaAI/jina-v2-rerank-npu"])
            ServerHarness.AddModel(_store, id, ModelTypes.Llm, ("Q4_0", true));
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("me/tiny", "me/tiny")]
    [InlineData("Me/Tiny", "me/tiny")]
    [InlineData("ME/TINY:q4_0", "me/tiny")]
    [InlineData("qwen/qwen3-0.6b-gguf", "Qwen/Qwen3-0.6B-GGUF")]
    public void Finds_a_pulled_model_whatever_the_case_under_its_own_spelling(string typed, string pulled)
    {
        var lookup = _store.Lookup(ModelName.Parse(typed));

        Assert.Equal(pulled, lookup.Model?.Name.Id);
        Assert.Equal(Path.Combine(_store.ModelsDir, pulled), lookup.Model!.Directory);
    }

    [Fact]
    public void Spellings_that_differ_only_in_case_are_ambiguous_but_each_exact_one_is_found()
    {
        ServerHarness.AddModel(_store, "Me/Tiny", ModelTypes.Llm, ("Q8_0", true));

        Assert.Equal(["Me/Tiny", "me/tiny"], _store.Lookup(ModelName.Parse("ME/TINY")).Ambiguous.Select(n => n.Id).Order(StringComparer.Ordinal));
        Assert.Null(_store.Lookup(ModelName.Parse("ME/TINY")).Model);
        Assert.Equal("Me/Tiny", _store.Lookup(ModelName.Parse("Me/Tiny")).Model?.Name.Id);
        Assert.Equal("me/tiny", _store.Lookup(ModelName.Parse("me/tiny")).Model?.Name.Id);
    }

    [Theory]
    [InlineData("me/tinny", "me/tiny")]
    [InlineData("qwen3-0.6b", "Qwen/Qwen3-0.6B-GGUF")]
    [InlineData("jina-v2-rerank", "NexaAI/jina-v2-rerank-npu")]
    [InlineData("Qwen/Qwen3-0.6B-GUF", "Qwen/Qwen3-0.6B-GGUF")]
    public void A_name_not_pulled_comes_with_the_nearest_pulled_names(string typed, string nearest)
    {
        var lookup = _store.Lookup(ModelName.Parse(typed));

        Assert.Null(lookup.Model);
        Assert.Equal(nearest, lookup.Closest.FirstOrDefault().Id);
    }

    [Fact]
    public void A_name_far_from_every_pulled_one_has_no_suggestion() =>
        Assert.Empty(_store.Lookup(ModelName.Parse("gpt-4o-mini")).Closest);

    [Fact]
    public void The_spelling_of_an_existing_folder_wins_even_for_an_unfinished_pull()
    {
        Directory.CreateDirectory(_store.ModelDir(ModelName.Parse("Org/Half-Pulled")));

        Assert.Equal("Org/Half-Pulled", _store.Spelling(ModelName.Parse("org/half-pulled")).Id);
        Assert.Equal("me/tiny:Q8_0", _store.Spelling(ModelName.Parse("ME/Tiny:Q8_0")).ToString());
        Assert.Equal("new/model", _store.Spelling(ModelName.Parse("new/model")).Id);
    }

    [Theory]
    [InlineData("org/repo", true)]
    [InlineData("https://huggingface.co/org/repo:Q4_0", true)]
    [InlineData("repo:Q4_0", false)]
    [InlineData("hf.co/repo", false)]
    [InlineData("gpt-4o-mini", false)]
    public void Tells_a_name_with_an_organisation_from_a_bare_one(string text, bool namesOrg) =>
        Assert.Equal(namesOrg, ModelName.NamesOrg(text));

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("same", "same", 0)]
    [InlineData("chta", "chat", 2)]
    public void Edit_distance_counts_insertions_deletions_and_substitutions(string a, string b, int distance) =>
        Assert.Equal(distance, NameSuggestions.Distance(a, b));
}
