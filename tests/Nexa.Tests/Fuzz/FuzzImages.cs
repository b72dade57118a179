using System.Diagnostics;
using System.Net;
using Nexa.Engine.Vision;
using Nexa.Tests.Fixtures;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Fuzz;

/// <summary>What a fuzz run's image parts point at, and the check that the server still serves every route.</summary>
public static class FuzzImages
{
    public static async Task<IReadOnlyList<string>> UrlsAsync(ImageHost host, TempDir files)
    {
        var fifo = files["pipe.png"];
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
            await mkfifo.WaitForExitAsync();
        var big = files["big.png"];
        await using (var file = File.Create(big))
        {
            file.Write(TestImages.Png(4, 4));
            file.SetLength(ImageLimits.MaxBytes - 1);
        }
        var real = files["real.webp"];
        await File.WriteAllBytesAsync(real, TestImages.Webp(300, 200));
        // A header that claims 30000×30000 pixels, and one corrupt body behind a good header.
        byte[] bomb = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, .. "IHDR"u8, 0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30, 8, 6, 0, 0, 0];
        var corrupt = TestImages.Png(64, 64)[..40].Concat(new byte[100]).ToArray();
        return
        [
            host.Url("/red.png"), host.Url("/big.jpg"), host.Url("/pic.webp"), host.Url("/anim.gif"), host.Url("/page.html"),
            host.Url("/missing.png"), host.Url("/huge.png"), host.Url("/redirect/6"), host.Url("/lying.png"),
            "data:image/png;base64," + Convert.ToBase64String(TestImages.Png(32, 32)),
            "data:image/png;base64," + Convert.ToBase64String(bomb),
            "data:image/png;base64," + Convert.ToBase64String(corrupt),
            "data:image/png;base64,!!!", "data:text/plain;base64,aGk=", "ftp://x/y.png",
            "/dev/zero", "/dev/urandom", "file:///dev/zero", fifo, "file://" + fifo, "/etc/\0shadow", "file:///etc/%00shadow",
            files.Path, big, real, "file://" + real, "/no/such/file.png",
        ];
    }

    /// <summary>After a fuzz run: an ordinary request on every route answers 200.</summary>
    public static async Task AssertServingAsync(HttpClient http, FuzzTargets targets)
    {
        var requests = new List<(string Path, string Body)>
        {
            ("/v1/chat/completions", $$"""{"model":"{{targets.Chat}}","messages":[{"role":"user","content":"still there?"}],"max_tokens":2}"""),
            ("/v1/embeddings", $$"""{"model":"{{targets.Embedder}}","input":"still there?"}"""),
            ("/v1/rerank", $$"""{"model":"{{targets.Reranker}}","query":"q","documents":["still there?"]}"""),
            ("/v1/reranking", $$"""{"model":"{{targets.Reranker}}","query":"q","documents":["still there?"]}"""),
        };
        if (targets.Vision is { } vision)
        {
            var png = Convert.ToBase64String(TestImages.Png(16, 16));
            requests.Add(("/v1/chat/completions", $$$"""{"model":"{{{vision}}}","messages":[{"role":"user","content":[{"type":"text","text":"see"},{"type":"image_url","image_url":{"url":"data:image/png;base64,{{{png}}}"}}]}],"max_tokens":2}"""));
        }
        foreach (var (path, body) in requests)
        {
            using var response = await http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        using var health = await http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
