using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nexa.Server.Hosting;

/// <summary>Loads <c>--certfile</c> and <c>--keyfile</c> (PEM) for HTTPS.</summary>
internal static class Certificates
{
    public static X509Certificate2 LoadPem(string? certFile, string? keyFile)
    {
        if (string.IsNullOrWhiteSpace(certFile) || string.IsNullOrWhiteSpace(keyFile))
            throw new ServerStartException("--https needs both --certfile and --keyfile (PEM files)");
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            // A PEM key is ephemeral; SslStream on Windows needs it in a key store, so round-trip through PKCS#12.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ServerStartException($"cannot load the HTTPS certificate '{certFile}' with key '{keyFile}': {e.Message}", e);
        }
    }
}
