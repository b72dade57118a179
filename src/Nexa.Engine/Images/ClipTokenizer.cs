using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nexa.Engine.Text;

namespace Nexa.Engine.Images;

/// <summary>
/// CLIP's byte-level BPE tokenizer (openai/CLIP simple_tokenizer.py, as Hugging Face's CLIPTokenizer), read from a
/// diffusers <c>tokenizer/</c> folder: vocab.json, merges.txt and tokenizer_config.json (pad token, length).
/// Text is HTML-unescaped, whitespace-collapsed and lower-cased, split by CLIP's pattern, each piece mapped to
/// byte characters, its last one marked with <c>&lt;/w&gt;</c>, and merged by rank. Own code rather than
/// Microsoft.ML.Tokenizers' BpeTokenizer: the cleaning, the special-token pieces and CLIP's fixed-length framing
/// are most of the work, and the merge loop is small enough to check by hand (see the tests).
/// </summary>
public sealed partial class ClipTokenizer
{
    private const string StartOfText = "<|startoftext|>";
    private const string EndOfText = "<|endoftext|>";

    private static readonly string[] ByteToChar = BuildByteMap();

    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<(string, string), int> _ranks;
    private readonly Dictionary<string, string[]> _cache = [];
    private readonly Lock _cacheGate = new();

    private ClipTokenizer(Dictionary<string, int> vocab, Dictionary<(string, string), int> ranks, int padId, int maxLength)
    {
        _vocab = vocab;
        _ranks = ranks;
        BosId = vocab[StartOfText];
        EosId = vocab[EndOfText];
        PadId = padId;
        MaxLength = maxLength;
    }

    public int BosId { get; }
    public int EosId { get; }
    public int PadId { get; }

    /// <summary>Tokens per encoded prompt, BOS and EOS included (77 for every CLIP text encoder).</summary>
    public int MaxLength { get; }

    public int VocabularySize => _vocab.Count;

    /// <summary>Reads a tokenizer folder; missing or malformed files are a <see cref="EngineErrorKind.LoadFailed"/>.</summary>
    public static ClipTokenizer Load(string folder)
    {
        var vocabPath = Path.Combine(folder, "vocab.json");
        var mergesPath = Path.Combine(folder, "merges.txt");
        foreach (var file in new[] { vocabPath, mergesPath })
        {
            if (!File.Exists(file))
            {
                throw new EngineException(EngineErrorKind.LoadFailed, $"image pipeline tokenizer file not found: {file}");
            }
        }

        try
        {
            var vocab = ReadVocabulary(vocabPath);
            var ranks = new Dictionary<(string, string), int>();
            foreach (var line in File.ReadLines(mergesPath))
            {
                if (line.StartsWith("#version", StringComparison.Ordinal) || line.Length == 0)
                {
                    continue;
                }

                var parts = line.Split(' ');
                if (parts.Length == 2)
                {
                    ranks.TryAdd((parts[0], parts[1]), ranks.Count);
                }
            }

            if (!vocab.ContainsKey(StartOfText) || !vocab.ContainsKey(EndOfText))
            {
                throw new EngineException(EngineErrorKind.LoadFailed, $"tokenizer vocabulary lacks {StartOfText} or {EndOfText}: {vocabPath}");
            }

            var (padToken, maxLength) = ReadConfig(Path.Combine(folder, "tokenizer_config.json"));
            if (!vocab.TryGetValue(padToken, out var padId))
            {
                throw new EngineException(EngineErrorKind.LoadFailed, $"tokenizer pad token \"{padToken}\" is not in its vocabulary: {folder}");
            }

            return new ClipTokenizer(vocab, ranks, padId, maxLength);
        }
        catch (JsonException e)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"tokenizer file is not valid JSON in {folder}: {e.Message}", inner: e);
        }
    }

    /// <summary>The prompt as the text encoder takes it: BOS, at most MaxLength - 2 tokens, EOS, then padding.</summary>
    public int[] Encode(string text)
    {
        var tokens = Tokenize(text);
        var ids = new int[MaxLength];
        Array.Fill(ids, PadId);
        ids[0] = BosId;
        var count = Math.Min(tokens.Count, MaxLength - 2);
        for (var i = 0; i < count; i++)
        {
            ids[i + 1] = tokens[i];
        }

        ids[count + 1] = EosId;
        return ids;
    }

    /// <summary>The token ids of a text, without BOS, EOS or padding.</summary>
    public List<int> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var clean = Whitespace().Replace(WebUtility.HtmlDecode(WebUtility.HtmlDecode(text)), " ").Trim().ToLowerInvariant();
        var ids = new List<int>();
        foreach (Match piece in Pieces().Matches(clean))
        {
            if (piece.Value is StartOfText or EndOfText)
            {
                ids.Add(_vocab[piece.Value]);
                continue;
            }

            foreach (var symbol in Bpe(piece.Value))
            {
                // Every byte character is in CLIP's vocabulary; a tiny or damaged one maps the rest to <|endoftext|>, CLIP's unknown token.
                ids.Add(_vocab.TryGetValue(symbol, out var id) ? id : EosId);
            }
        }

        return ids;
    }

    private string[] Bpe(string piece)
    {
        lock (_cacheGate)
        {
            if (_cache.TryGetValue(piece, out var cached))
            {
                return cached;
            }
        }

        var bytes = Encoding.UTF8.GetBytes(piece);
        var word = new List<string>(bytes.Length);
        foreach (var b in bytes)
        {
            word.Add(ByteToChar[b]);
        }

        word[^1] += "</w>";
        while (word.Count > 1)
        {
            // The adjacent pair with the lowest merge rank merges everywhere it occurs, then again.
            var best = -1;
            var bestRank = int.MaxValue;
            for (var i = 0; i < word.Count - 1; i++)
            {
                if (_ranks.TryGetValue((word[i], word[i + 1]), out var rank) && rank < bestRank)
                {
                    bestRank = rank;
                    best = i;
                }
            }

            if (best < 0)
            {
                break;
            }

            var (first, second) = (word[best], word[best + 1]);
            var merged = new List<string>(word.Count);
            for (var i = 0; i < word.Count; i++)
            {
                if (i < word.Count - 1 && word[i] == first && word[i + 1] == second)
                {
                    merged.Add(first + second);
                    i++;
                }
                else
                {
                    merged.Add(word[i]);
                }
            }

            word = merged;
        }

        var result = word.ToArray();
        lock (_cacheGate)
        {
            if (_cache.Count < 10_000)
            {
                _cache[piece] = result;
            }
        }

        return result;
    }

    // JsonDocument rather than a reflection-based deserializer: the engine stays usable in a trimmed build.
    private static Dictionary<string, int> ReadVocabulary(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new EngineException(EngineErrorKind.LoadFailed, $"tokenizer vocabulary is not a JSON object: {path}");
        }

        var vocab = new Dictionary<string, int>();
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id))
            {
                throw new EngineException(EngineErrorKind.LoadFailed, $"tokenizer vocabulary entry \"{entry.Name}\" has no integer id: {path}");
            }

            vocab[entry.Name] = id;
        }

        return vocab;
    }

    private static (string PadToken, int MaxLength) ReadConfig(string path)
    {
        var pad = EndOfText;
        var maxLength = 77;
        if (!File.Exists(path))
        {
            return (pad, maxLength);
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        if (root.TryGetProperty("pad_token", out var padToken))
        {
            // A plain string, or an AddedToken object {"content": "!", …} in older configs.
            pad = padToken.ValueKind switch
            {
                JsonValueKind.String => padToken.GetString() ?? pad,
                JsonValueKind.Object when padToken.TryGetProperty("content", out var content) => content.GetString() ?? pad,
                _ => pad,
            };
        }

        // Some configs say 1e30 ("no limit"); CLIP's position table holds 77 either way.
        if (root.TryGetProperty("model_max_length", out var length) && length.ValueKind == JsonValueKind.Number
            && length.TryGetInt32(out var value) && value is >= 3 and <= 77)
        {
            maxLength = value;
        }

        return (pad, maxLength);
    }

    /// <summary>GPT-2's reversible byte → printable character table, used by CLIP for its byte-level symbols.</summary>
    private static string[] BuildByteMap()
    {
        var map = new string[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = ((char)(printable ? b : next++)).ToString();
        }

        return map;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", RegexOptions.IgnoreCase)]
    private static partial Regex Pieces();
}
