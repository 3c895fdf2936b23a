// `tls-cert <dir> [--host localhost]`: writes a self-signed certificate for nginx (<dir>/tls.crt, <dir>/tls.key,
// PEM, 825 days) unless both files exist. The compose one-shot `tls-init` runs it because nginx images ship no
// openssl. 825 days is the longest validity Apple platforms accept for a TLS server certificate.
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Api.Cli;

internal static class TlsCertCommand
{
    public const string CertificateFile = "tls.crt";
    public const string KeyFile = "tls.key";
    public const int ValidityDays = 825;
    private const string Usage = "tls-cert <dir> [--host localhost]";

    public static int Run(string[] args)
    {
        if (CommandLine.Parse("tls-cert", args, Usage, "host") is not var (directory, named))
        {
            return CommandLine.UsageExitCode;
        }

        var host = named.GetValueOrDefault("host", "localhost");
        var certificatePath = Path.Combine(directory, CertificateFile);
        var keyPath = Path.Combine(directory, KeyFile);

        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            Console.WriteLine($"tls-cert: {certificatePath} and {keyPath} exist; kept them");
            return 0;
        }

        try
        {
            Directory.CreateDirectory(directory);
            using var key = RSA.Create(2048);
            var request = new CertificateRequest(
                $"CN={host}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            foreach (var name in new[] { host, "localhost" }.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (IPAddress.TryParse(name, out var address))
                {
                    names.AddIpAddress(address);
                }
                else
                {
                    names.AddDnsName(name);
                }
            }

            names.AddIpAddress(IPAddress.Loopback);
            names.AddIpAddress(IPAddress.IPv6Loopback);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(
                X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [new Oid("1.3.6.1.5.5.7.3.1")], false));

            var now = DateTimeOffset.UtcNow;
            using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(ValidityDays));

            // Key first and private: a reader that sees the certificate can rely on the key being there.
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
            Console.WriteLine($"tls-cert: wrote {certificatePath} and {keyPath} for {host}, " +
                $"valid until {certificate.NotAfter:yyyy-MM-dd}");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"tls-cert: cannot write to {directory}: {e.Message}");
            return 1;
        }
    }
}
