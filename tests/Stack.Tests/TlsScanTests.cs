// TLS of the running stack, as an outside scanner sees it: sslscan (Debian package, installed by .ci/run) finds no
// protocol below TLS 1.2, no suite without forward secrecy, no CBC suite, and TLS 1.3 still on. Skipped with a reason
// where sslscan is missing, unless ZDD_REQUIRE_DOCKER=true (CI), where a missing scanner fails. The judging of the
// scanner's report is tested on its own against a real report of a deliberately weak nginx, so that the scan test can
// fail.
using System.Xml.Linq;
using Docker.Testing;
using Xunit;

namespace Stack.Tests;

[Collection(HardenedStackCollection.Name)]
public sealed class TlsScanTests(HardenedStack fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 600_000)]
    public async Task Sslscan_PublicPort_OnlyTls12And13WithForwardSecretAeadSuites()
    {
        // Arrange
        await RequireSslscanAsync();
        var stack = await fixture.StartedAsync();

        // Act
        var scan = (await ProcessRunner.RunAsync("sslscan",
            ["--no-colour", "--xml=-", "--sni-name=localhost", $"127.0.0.1:{stack.HttpsBase.Port}"],
            timeout: TimeSpan.FromMinutes(3), ct: Ct)).EnsureSuccess("sslscan");
        var report = TlsReport.Parse(scan.StdOut);

        // Assert
        Assert.True(report.Violations.Count == 0, string.Join('\n', report.Violations));
        Assert.Equal(["TLSv1.2", "TLSv1.3"], report.Protocols);
        Assert.Contains(report.Suites, s => s.Protocol == "TLSv1.3");
        Assert.Contains(report.Suites, s => s.Protocol == "TLSv1.2");
    }

    [Fact]
    public void Judge_WeakServersReport_NamesEachWeakness()
    {
        // Arrange: sslscan 2.0.7's report of an nginx with ssl_protocols TLSv1..TLSv1.3 and CBC and RSA-kex suites.
        const string weak = """
            <?xml version="1.0" encoding="UTF-8"?>
            <document title="SSLScan Results" version="2.0.7" web="http://github.com/rbsec/sslscan">
             <ssltest host="127.0.0.1" sniname="127.0.0.1" port="32790">
              <protocol type="ssl" version="2" enabled="0" />
              <protocol type="ssl" version="3" enabled="0" />
              <protocol type="tls" version="1.0" enabled="1" />
              <protocol type="tls" version="1.1" enabled="1" />
              <protocol type="tls" version="1.2" enabled="1" />
              <protocol type="tls" version="1.3" enabled="1" />
              <cipher status="preferred" sslversion="TLSv1.3" bits="128" cipher="TLS_AES_128_GCM_SHA256" id="0x1301" strength="acceptable" />
              <cipher status="preferred" sslversion="TLSv1.2" bits="128" cipher="ECDHE-RSA-AES128-GCM-SHA256" id="0xC02F" strength="strong" curve="25519" ecdhebits="253" />
              <cipher status="accepted" sslversion="TLSv1.2" bits="128" cipher="ECDHE-RSA-AES128-SHA" id="0xC013" strength="acceptable" curve="25519" ecdhebits="253" />
              <cipher status="accepted" sslversion="TLSv1.2" bits="128" cipher="AES128-GCM-SHA256" id="0x009C" strength="acceptable" />
              <cipher status="accepted" sslversion="TLSv1.2" bits="256" cipher="AES256-SHA" id="0x0035" strength="acceptable" />
              <cipher status="preferred" sslversion="TLSv1.0" bits="128" cipher="ECDHE-RSA-AES128-SHA" id="0xC013" strength="acceptable" curve="25519" ecdhebits="253" />
             </ssltest>
            </document>
            """;

        // Act
        var violations = TlsReport.Parse(weak).Violations;

        // Assert
        Assert.Equal(
        [
            "protocol TLSv1.0 is enabled",
            "protocol TLSv1.1 is enabled",
            "TLSv1.2 ECDHE-RSA-AES128-SHA: CBC, not AEAD",
            "TLSv1.2 AES128-GCM-SHA256: no forward secrecy",
            "TLSv1.2 AES256-SHA: no forward secrecy",
            "TLSv1.2 AES256-SHA: CBC, not AEAD",
            "TLSv1.0 ECDHE-RSA-AES128-SHA: CBC, not AEAD",
        ], violations);
    }

    private static async Task RequireSslscanAsync()
    {
        string? problem;
        try
        {
            var version = await ProcessRunner.RunAsync("sslscan", ["--version"], timeout: TimeSpan.FromSeconds(30));
            problem = version.ExitCode == 0 ? null : $"`sslscan --version` exited {version.ExitCode}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            problem = $"sslscan is not installed ({e.Message}); `apt-get install sslscan` (.ci/run does)";
        }

        if (problem is null)
        {
            return;
        }

        Assert.False(DockerRequirement.IsRequired, $"ZDD_REQUIRE_DOCKER=true but {problem}");
        Assert.Skip(problem);
    }

    /// <summary>What sslscan's XML report says, judged by Mozilla's intermediate profile.</summary>
    internal sealed record TlsReport(IReadOnlyList<string> Protocols, IReadOnlyList<(string Protocol, string Name)> Suites,
        IReadOnlyList<string> Violations)
    {
        public static TlsReport Parse(string xml)
        {
            var test = XDocument.Parse(xml.Trim()).Root!.Element("ssltest")
                ?? throw new InvalidOperationException($"no <ssltest> in sslscan's report: {xml}");
            var violations = new List<string>();

            var protocols = new List<string>();
            foreach (var protocol in test.Elements("protocol").Where(p => (string?)p.Attribute("enabled") == "1"))
            {
                var name = (string?)protocol.Attribute("type") == "ssl"
                    ? $"SSLv{(string?)protocol.Attribute("version")}"
                    : $"TLSv{(string?)protocol.Attribute("version")}";
                protocols.Add(name);
                if (name is not ("TLSv1.2" or "TLSv1.3"))
                {
                    violations.Add($"protocol {name} is enabled");
                }
            }

            var suites = test.Elements("cipher")
                .Select(c => ((string?)c.Attribute("sslversion") ?? "", (string?)c.Attribute("cipher") ?? ""))
                .ToList();
            foreach (var (protocol, name) in suites.Where(s => s.Item1 != "TLSv1.3"))
            {
                // OpenSSL names: key exchange first (ECDHE-/DHE- = forward secret; none = RSA key transport), then
                // the cipher; GCM, CCM and ChaCha20-Poly1305 are the AEAD ones, anything else is CBC (or worse).
                if (!name.StartsWith("ECDHE-", StringComparison.Ordinal) && !name.StartsWith("DHE-", StringComparison.Ordinal))
                {
                    violations.Add($"{protocol} {name}: no forward secrecy");
                }

                if (!name.Contains("-GCM-", StringComparison.Ordinal) && !name.Contains("CHACHA20-POLY1305", StringComparison.Ordinal)
                    && !name.Contains("-CCM", StringComparison.Ordinal))
                {
                    violations.Add($"{protocol} {name}: CBC, not AEAD");
                }
            }

            return new TlsReport(protocols, suites, violations);
        }
    }
}
