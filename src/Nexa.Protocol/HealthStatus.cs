namespace Nexa.Protocol;

/// <summary><c>GET /health</c>: always "ok" while the server answers, with the models loaded now.</summary>
public sealed record HealthStatus(string Status, IReadOnlyList<string> Models);
