// Which peers may tell us the client's address and scheme (X-Forwarded-For/Proto, X-Real-IP): nginx's network.
using System.Net;
using Microsoft.Extensions.Options;

namespace Api.Settings;

public sealed class ProxyOptions
{
    public const string SectionName = "Proxy";

    /// <summary>TRUSTED_PROXIES: ';'-separated CIDRs (a bare address means /32 or /128). Empty trusts no one.</summary>
    public string TrustedProxies { get; set; } = "";

    public IReadOnlyList<IPNetwork> GetNetworks() =>
        [.. Split(TrustedProxies).Select(s => TryParse(s, out var n) ? n : throw new FormatException(s))];

    internal static IEnumerable<string> Split(string value) =>
        value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal static bool TryParse(string text, out IPNetwork network)
    {
        if (IPNetwork.TryParse(text, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.GetAddressBytes().Length * 8);
            return true;
        }

        return false;
    }
}

internal sealed class ProxyOptionsValidator(IHostEnvironment environment) : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var entries = ProxyOptions.Split(options.TrustedProxies).ToList();
        var bad = entries.Where(s => !ProxyOptions.TryParse(s, out _)).ToList();
        if (bad.Count > 0)
        {
            return ValidateOptionsResult.Fail(Expect.Message(
                "TRUSTED_PROXIES", "';'-separated CIDRs such as 10.0.0.0/8", string.Join(';', bad)));
        }

        // A proxy trusted from every address (a /0: 0.0.0.0/0, ::/0) lets any client write its own X-Forwarded-For:
        // the logs, and anything that ever keys on the client address, would believe it.
        var everyone = entries.Where(s => ProxyOptions.TryParse(s, out var n) && n.PrefixLength == 0).ToList();
        return everyone.Count > 0 && !environment.IsDevelopment()
            ? ValidateOptionsResult.Fail(Expect.Message(
                "TRUSTED_PROXIES", "the proxies' own networks outside Development, not every address",
                string.Join(';', everyone)))
            : ValidateOptionsResult.Success;
    }
}
