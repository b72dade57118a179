using System.Text;

namespace Nexa.Tests.Fuzz;

/// <summary>
/// A seeded stream of fuzz cases over every route: chat (text, images, streamed and cut), embeddings, both rerank
/// routes, image generation, the model list and health, unknown routes and methods, and raw-socket framing faults.
/// The same seed gives the same cases.
/// </summary>
public sealed class FuzzCases(int seed, FuzzTargets targets)
{
    private readonly Random _random = new(seed);

    public IEnumerable<FuzzCase> Take(int count)
    {
        var bodies = new FuzzBodies(_random, targets);
        for (var i = 0; i < count; i++)
            yield return Next(bodies);
    }

    private FuzzCase Next(FuzzBodies bodies) => _random.Next(100) switch
    {
        < 20 => FuzzCase.Post("chat", "/v1/chat/completions", bodies.Mutate(bodies.Chat(stream: _random.Next(3) == 0))),
        < 30 => FuzzCase.Post("chat+images", "/v1/chat/completions", bodies.Mutate(bodies.Vision())),
        < 34 => new FuzzCase("chat cut", FuzzKind.CutStream, "POST", "/v1/chat/completions", FuzzValues.Serialize(bodies.Chat(stream: true))),
        < 48 => FuzzCase.Post("embeddings", "/v1/embeddings", bodies.Mutate(bodies.Embeddings())),
        < 58 => FuzzCase.Post("reranking", "/v1/reranking", bodies.Mutate(bodies.Reranking())),
        < 68 => FuzzCase.Post("rerank", "/v1/rerank", bodies.Mutate(bodies.Rerank())),
        < 74 => FuzzCase.Post("images", "/v1/images/generations", bodies.Mutate(bodies.Images())),
        < 78 => FuzzCase.Post(Pick("chat", "embeddings", "rerank"), Pick("/v1/chat/completions", "/v1/embeddings", "/v1/rerank"), bodies.Garbage()),
        < 84 => new FuzzCase("models", FuzzKind.Http, "GET", Pick("/v1/models", "/health", "/v1/models/" + Uri.EscapeDataString(targets.Chat), "/v1/models/no%2Fsuch"), []),
        < 88 => new FuzzCase("other", FuzzKind.Http, Pick("GET", "PUT", "DELETE", "PATCH"), Pick("/v1/chat/completions", "/v1/nothing", "/", "/v1/images/none.png", "/v1/images/a%2Fb.png"), []),
        _ => Framing(),
    };

    // Requests no HTTP client would send.
    private FuzzCase Framing()
    {
        var path = Pick("/v1/chat/completions", "/v1/embeddings", "/v1/rerank", "/v1/models");
        var fault = _random.Next(9);
        var text = fault switch
        {
            0 => $"POST {path} HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n{Pick("ffffffffffffffff", "zz", "-1", "1ffffffffffffffff")}\n{{}}\n0\n\n",
            1 => $"POST {path} HTTP/1.1\nHost: x\nContent-Length: {_random.Next(10, 100_000)}\n\n{{\"model\":",
            2 => $"POST {path} HTTP/1.1\nHost: x\nContent-Length: -5\n\n{{}}",
            3 => $"POST {path} HTTP/1.1\nHost: x\nContent-Length: 2\nTransfer-Encoding: chunked\n\n2\n{{}}\n0\n\n",
            4 => $"GET {path}?{new string('a', _random.Next(9000, 40_000))} HTTP/1.1\nHost: x\n\n",
            5 => $"GET {path} HTTP/1.1\nHost: x\nX-Big: {new string('b', _random.Next(33_000, 70_000))}\n\n",
            6 => $"{Pick("GE\u0001T", "", "POST", "\u00ff\u00fe")} {Pick(path, "/%00", "/v1/%ff")} HTTP/{Pick("1.1", "9.9", "x")}\nHost: x\n\n",
            7 => $"POST {path} HTTP/1.1\nHost: x\nTransfer-Encoding: gzip\n\n{{}}",
            _ => $"POST {path} HTTP/1.1\n{string.Concat(Enumerable.Range(0, 150).Select(i => $"X-H{i}: v\n"))}Host: x\n\n",
        };
        var bytes = Encoding.Latin1.GetBytes(text.ReplaceLineEndings("\r\n"));
        return new FuzzCase("framing", fault == 1 ? FuzzKind.RawCut : FuzzKind.Raw, "", "", bytes);
    }

    private string Pick(params string[] values) => values[_random.Next(values.Length)];
}
