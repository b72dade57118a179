namespace Nexa.Engine.Embeddings;

/// <summary>The vocabulary's special tokens and flags that decide how a query–document pair is laid out.</summary>
/// <param name="AddBos">llama_vocab_get_add_bos; likewise <paramref name="AddEos"/> and <paramref name="AddSep"/>.</param>
internal readonly record struct PairSpecials(int? Bos, int? Eos, int? Sep, bool AddBos, bool AddEos, bool AddSep);

/// <summary>
/// Lays out one (query, document) pair for a reranker exactly as llama.cpp's server does (format_prompt_rerank in
/// tools/server): with the GGUF's <c>tokenizer.chat_template.rerank</c> when it has one, the template's
/// <c>{query}</c> and <c>{document}</c> replaced and the result tokenized whole (special tokens parsed, none added);
/// otherwise [BOS] query [EOS] [SEP] document [EOS], each part present when the vocabulary's flag says so, with SEP
/// standing in for a missing EOS (and closing the document for WordPiece vocabularies, see <see cref="Join"/>). A BERT vocabulary gives [CLS] q [SEP] d [SEP]; XLM-RoBERTa's &lt;s&gt; q &lt;/s&gt;&lt;/s&gt; d &lt;/s&gt;.
/// </summary>
internal static class RerankPairFormat
{
    /// <summary>The rerank template with the pair put in (llama.cpp replaces {query} first, then {document}).</summary>
    public static string Render(string template, string query, string document) =>
        template.Replace("{query}", query, StringComparison.Ordinal).Replace("{document}", document, StringComparison.Ordinal);

    /// <summary>The pair without a template, from the query's and the document's own tokens (tokenized with nothing added).</summary>
    public static int[] Join(ReadOnlySpan<int> query, ReadOnlySpan<int> document, PairSpecials specials)
    {
        var eos = specials.Eos ?? specials.Sep;
        var tokens = new List<int>(query.Length + document.Length + 4);
        if (specials.AddBos && specials.Bos is { } bos)
        {
            tokens.Add(bos);
        }

        tokens.AddRange(query);
        if (specials.AddEos && eos is { } end)
        {
            tokens.Add(end);
        }

        if (specials.AddSep && specials.Sep is { } sep)
        {
            tokens.Add(sep);
        }

        tokens.AddRange(document);
        if (specials.AddEos && eos is { } last)
        {
            tokens.Add(last);
        }
        else if (specials.AddSep && specials.Sep is { } closing)
        {
            // A WordPiece vocabulary (llama.cpp: add_bos, add_sep, no add_eos) closes a sequence with [SEP]; llama.cpp's
            // server leaves it off the pair ([CLS] q [SEP] d), but BERT cross-encoders were trained on
            // [CLS] q [SEP] d [SEP] (Hugging Face's pair encoding), which is what we send.
            tokens.Add(closing);
        }

        return [.. tokens];
    }
}
