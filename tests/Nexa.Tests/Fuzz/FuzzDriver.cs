using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Nexa.Tests.Server.Fakes;

namespace Nexa.Tests.Fuzz;

/// <summary>
/// Sends fuzz cases to a server, a few at a time, each under a deadline, and records every answer. A failure is a 5xx,
/// an answer past its deadline, a 4xx that is not OpenAI's error shape, or a connection the server dropped without
/// an answer to a well-framed request.
/// </summary>
public sealed class FuzzDriver(Uri server, TimeSpan deadline, int concurrency, long maxBodyBytes = 8 * 1024 * 1024)
{
    public async Task<FuzzReport> RunAsync(IEnumerable<FuzzCase> cases)
    {
        var report = new FuzzReport();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 })
        {
            BaseAddress = server,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (fuzz, _) =>
        {
            using var timeout = new CancellationTokenSource(deadline);
            var clock = Stopwatch.StartNew();
            try
            {
                var status = await SendAsync(http, fuzz, report, timeout.Token);
                report.Add(fuzz, status, clock.Elapsed);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                report.Add(fuzz, "timeout", clock.Elapsed);
                report.Fail(fuzz, $"no answer within {deadline.TotalSeconds:0} s");
            }
            catch (HttpRequestException) when (fuzz.Body.Length > maxBodyBytes)
            {
                // Kestrel answers 413 and closes while the client still sends: the client may see the close first.
                report.Add(fuzz, "413 closed", clock.Elapsed);
            }
            catch (HttpRequestException e)
            {
                report.Add(fuzz, "dropped", clock.Elapsed);
                report.Fail(fuzz, $"connection dropped: {e.Message}");
            }
        });
        return report;
    }

    private static async Task<string> SendAsync(HttpClient http, FuzzCase fuzz, FuzzReport report, CancellationToken ct)
    {
        switch (fuzz.Kind)
        {
            case FuzzKind.Raw or FuzzKind.RawCut:
                var answer = await RawHttp.SendAsync(http.BaseAddress!, fuzz.Body, closeAfterSend: fuzz.Kind == FuzzKind.RawCut, timeoutMs: 15_000).WaitAsync(ct);
                if (answer is { Status: >= 500 and not 505 })
                    report.Fail(fuzz, $"HTTP {answer.Status}: {answer.Body}");
                return answer is null ? "closed" : answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            case FuzzKind.CutStream:
                using (var request = Request(fuzz))
                using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct))
                {
                    // One line of the stream, then the client is gone: the server must free the slot, not fail.
                    await using var stream = await response.Content.ReadAsStreamAsync(ct);
                    using var reader = new StreamReader(stream);
                    await reader.ReadLineAsync(ct);
                    Check(fuzz, response, "", report);
                    return $"{(int)response.StatusCode} cut";
                }
            default:
                using (var request = Request(fuzz))
                using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct))
                {
                    Check(fuzz, response, await response.Content.ReadAsStringAsync(ct), report);
                    return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
        }
    }

    private static HttpRequestMessage Request(FuzzCase fuzz)
    {
        var request = new HttpRequestMessage(new HttpMethod(fuzz.Method), fuzz.Path);
        if (fuzz.Method != "GET")
        {
            request.Content = new ByteArrayContent(fuzz.Body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        return request;
    }

    private static void Check(FuzzCase fuzz, HttpResponseMessage response, string body, FuzzReport report)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
            report.Fail(fuzz, $"HTTP {status}: {body[..Math.Min(body.Length, 300)]}");
        else if (status >= 400 && fuzz.Kind == FuzzKind.Http && !(body.Contains("\"error\"", StringComparison.Ordinal) && body.Contains("\"message\"", StringComparison.Ordinal)))
            report.Fail(fuzz, $"HTTP {status} without OpenAI's error shape: {body[..Math.Min(body.Length, 300)]}");
        else if (status == (int)HttpStatusCode.OK && fuzz.Kind == FuzzKind.Http && body.Length == 0 && fuzz.Method != "GET")
            report.Fail(fuzz, "HTTP 200 with an empty body");
    }
}
