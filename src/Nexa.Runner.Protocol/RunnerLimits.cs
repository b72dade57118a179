namespace Nexa.Runner;

internal static class RunnerLimits
{
    /// <summary>Largest gRPC message either side accepts: room for a request with several images.</summary>
    public const int MaxMessageBytes = 64 << 20;
}
