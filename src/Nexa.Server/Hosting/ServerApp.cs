using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Nexa.Hub.Store;
using Nexa.Runner;
using Nexa.Server.Catalog;
using Nexa.Server.Chat;
using Nexa.Server.Embeddings;
using Nexa.Server.Errors;
using Nexa.Server.Http;
using Nexa.Server.Images;
using Nexa.Server.Pipeline;
using Nexa.Server.Rerank;
using Nexa.Server.Tokens;
using Nexa.Server.Residency;
using Nexa.Server.Vision;

namespace Nexa.Server.Hosting;

/// <summary>Builds the ASP.NET Core app: Kestrel on the asked address, logging, the middleware order, the routes.</summary>
internal static class ServerApp
{
    public static (WebApplication App, ModelResidency Residency) Build(ServerOptions options, IModelLauncher launcher, TimeProvider time)
    {
        OptionsCheck.Validate(options);
        var address = ListenAddress.Parse(options.Host);
        var certificate = options.Https ? Certificates.LoadPem(options.CertFile, options.KeyFile) : null;

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        ConfigureLogging(builder.Logging, options.Verbose);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            address.Listen(kestrel, listen =>
            {
                if (certificate is not null)
                    listen.UseHttps(certificate);
            });
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        var origins = CorsOrigins(options.Origins);
        if (origins is not null)
        {
            builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy =>
            {
                if (origins.Contains("*"))
                    policy.AllowAnyOrigin();
                else
                    policy.WithOrigins(origins);
                policy.AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Retry-After");
            }));
        }

        var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var residency = new ModelResidency(launcher, options, time, loggers.CreateLogger<ModelResidency>());
        var catalog = new ModelCatalog(new ModelStore(options.DataDir), options);
        var policy = ImagePolicy.For(options, address.IsLoopback);
        var fetcher = new ImageFetcher(policy);
        app.Lifetime.ApplicationStopped.Register(fetcher.Dispose);
        var imageInputs = new ImageResolver(fetcher, policy, new ImageMemory());
        var pipeline = new ModelPipeline(catalog, residency, app.Lifetime);
        var chat = new ChatEndpoint(pipeline, imageInputs, time, loggers.CreateLogger<ChatEndpoint>());
        var embeddings = new EmbeddingsEndpoint(pipeline);
        var rerank = new RerankEndpoint(pipeline);
        var imageFiles = new ImageFiles(options.DataDir, TimeSpan.FromSeconds(options.ImageTtlSeconds), time, loggers.CreateLogger<ImageFiles>());
        app.Lifetime.ApplicationStopped.Register(imageFiles.Dispose);
        var images = new ImagesEndpoint(pipeline, imageFiles, time);
        var tokens = new TokenEndpoints(pipeline);
        var applyTemplate = new ApplyTemplateEndpoint(pipeline);

        var trimmer = new MemoryTrimmer(time);
        app.Lifetime.ApplicationStopped.Register(trimmer.Dispose);
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            finally
            {
                trimmer.AfterRequest();
            }
        });
        app.UseMiddleware<ErrorBoundary>();
        app.UseStatusCodePages(context => ErrorTable.WriteAsync(
            context.HttpContext,
            ErrorTable.ForBareStatus(context.HttpContext.Response.StatusCode, context.HttpContext.Request.Method, context.HttpContext.Request.Path)));
        if (origins is not null)
            app.UseCors();
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            // Image file URLs are their own permission (see ImageFiles): a browser or <img> cannot send a bearer token.
            var apiKey = new ApiKeyCheck(options.ApiKey);
            app.Use((http, next) => http.Request.Path.StartsWithSegments(ImageFiles.RoutePrefix.TrimEnd('/'), StringComparison.Ordinal)
                ? next(http)
                : apiKey.InvokeAsync(http, next));
        }
        app.UseRouting();

        new InfoRoutes(catalog, residency).Map(app);
        app.MapPost("/v1/chat/completions", chat.HandleAsync);
        app.MapPost("/v1/embeddings", embeddings.HandleAsync);
        app.MapPost("/v1/reranking", rerank.HandleRerankingAsync);
        app.MapPost("/v1/rerank", rerank.HandleRerankAsync);
        app.MapPost("/v1/images/generations", images.HandleAsync);
        app.MapGet(ImageFiles.RoutePrefix + "{name}", images.ServeFileAsync);
        app.MapPost("/tokenize", tokens.TokenizeAsync);
        app.MapPost("/detokenize", tokens.DetokenizeAsync);
        app.MapPost("/apply-template", applyTemplate.HandleAsync);
        return (app, residency);
    }

    private static void ConfigureLogging(ILoggingBuilder logging, bool verbose)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        });
        // Logs go to stderr; stdout is the CLI's.
        logging.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
        if (!verbose)
            logging.AddFilter("Microsoft", LogLevel.Error);
    }

    private static string[]? CorsOrigins(string origins)
    {
        var list = origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return list.Length == 0 ? null : list;
    }
}
