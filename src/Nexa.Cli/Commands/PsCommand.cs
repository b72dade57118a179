using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Nexa.Cli.Repl;
using Nexa.Hub;
using Nexa.Protocol;
using Spectre.Console;

namespace Nexa.Cli.Commands;

/// <summary>`nexa ps`: the models a running `nexa serve` (at NEXA_HOST) holds now, from its /health.</summary>
internal static class PsCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("ps", "Show the models a running nexa serve has loaded: slots in use, queue, cache, memory (NEXA_HOST)");
        command.SetAction(async (parsed, ct) =>
        {
            var health = await FetchAsync(env, ct);
            if (health.Loaded.Count == 0)
            {
                await env.Out.WriteLineAsync("No models loaded.");
                return ExitCodes.Ok;
            }
            var console = Consoles.For(env.Out, env.IsInteractive);
            var table = new Table().Border(TableBorder.Simple);
            table.AddColumn("NAME").AddColumn("TYPE").AddColumn("STATE").AddColumn(new TableColumn("SLOTS").RightAligned())
                .AddColumn(new TableColumn("QUEUE").RightAligned()).AddColumn(new TableColumn("CACHE").RightAligned())
                .AddColumn(new TableColumn("MEMORY").RightAligned()).AddColumn("UNTIL");
            foreach (var m in health.Loaded)
            {
                table.AddRow(
                    Markup.Escape(m.Model),
                    Markup.Escape(m.Type),
                    m.State,
                    $"{m.SlotsBusy}/{m.Slots}",
                    (m.Queued + (m.EngineQueued ?? 0)).ToString(CultureInfo.InvariantCulture),
                    m.CacheTokens is { } cells && m.ContextSize is > 0 ? $"{cells}/{m.ContextSize} tok" : "-",
                    m.ResidentBytes is { } rss ? Bytes.Format(rss) : $"~{Bytes.Format(m.EstimatedBytes)}",
                    Until(m));
            }
            console.Write(table);
            if (health.MemoryBudgetBytes is { } budget)
                await env.Out.WriteLineAsync($"memory budget: {Bytes.Format(health.EstimatedBytes)} of {Bytes.Format(budget)} estimated in use");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<HealthStatus> FetchAsync(CliEnvironment env, CancellationToken ct)
    {
        var baseAddress = ServerChatBackend.BaseAddress(env.Variable);
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        if (env.Variable("NEXA_API_KEY") is { Length: > 0 } key)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        try
        {
            using var reply = await http.GetAsync("health", ct);
            if (reply.StatusCode == HttpStatusCode.Unauthorized)
                throw new CliException($"the server at {baseAddress} wants an API key: set NEXA_API_KEY");
            reply.EnsureSuccessStatusCode();
            return await reply.Content.ReadFromJsonAsync(ProtocolJsonContext.Wire.HealthStatus, ct)
                ?? throw new CliException($"the server at {baseAddress} sent an empty /health");
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            throw new CliException($"no nexa server answers at {baseAddress} ({e.Message}); start one with: nexa serve");
        }
    }

    // "in use" while requests hold the model, the time left while it idles, "kept" when keep-alive never unloads it.
    private static string Until(LoadedModelHealth m)
    {
        if (m.SlotsBusy > 0 || m.Queued > 0 || m.State == "loading")
            return "in use";
        if (m.UnloadsAt is not { } at)
            return "kept";
        var left = at - DateTimeOffset.UtcNow;
        return left <= TimeSpan.Zero ? "unloading"
            : left.TotalMinutes >= 1 ? $"{(int)left.TotalMinutes} min {left.Seconds} s"
            : $"{left.Seconds} s";
    }
}
