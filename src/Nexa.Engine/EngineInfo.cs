namespace Nexa.Engine;

public static class EngineInfo
{
    public const string LlamaCppCommit = "815a2a5915f22ce6a760c676389c5dfe8535c08f";
}
