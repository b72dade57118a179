namespace Nexa.Server;

/// <summary>The server cannot start as configured (bad --host, certificate, port in use); the message is for the user.</summary>
public sealed class ServerStartException(string message, Exception? inner = null) : Exception(message, inner);
