namespace RdsPlatform.Licensing;

/// <summary>
/// Who a CAL is for: a device (its hardware id) or a domain user (domain and account name). Built, formatted and
/// parsed only here. Normalised once when built: every part is trimmed; a Per User domain is upper-cased and the
/// account name lower-cased (invariant culture), because Windows accounts are case-insensitive and the license server
/// has always stored them so; a hardware id keeps its case (the gateway compares hardware ids case-insensitively).
/// <see cref="ToString"/> is the stored form (licenses table, certificates, audit trail, cache keys): the hardware id,
/// or <c>DOMAIN\user</c> (<c>\user</c> without a domain). Existing databases hold exactly this form, so it must not change.
/// </summary>
public sealed record CalSubject
{
    /// <summary>Separates the domain from the account name in the stored form of a Per User subject.</summary>
    public const char DomainSeparator = '\\';

    private CalSubject(CalType type, string hardwareId, string domain, string userName)
    {
        Type = type;
        HardwareId = hardwareId;
        Domain = domain;
        UserName = userName;
    }

    public CalType Type { get; }

    /// <summary>The device's hardware id; empty for a Per User subject.</summary>
    public string HardwareId { get; }

    /// <summary>The user's domain; empty for a Per Device subject or a user outside a domain.</summary>
    public string Domain { get; }

    /// <summary>The user's account name; empty for a Per Device subject.</summary>
    public string UserName { get; }

    /// <summary>A Per Device subject: the trimmed hardware id.</summary>
    public static CalSubject Device(string hardwareId)
    {
        ArgumentNullException.ThrowIfNull(hardwareId);
        return new(CalType.PerDevice, hardwareId.Trim(), "", "");
    }

    /// <summary>A Per User subject: the domain trimmed and upper-cased (null or empty: no domain), the account name trimmed and lower-cased.</summary>
    public static CalSubject User(string? domain, string userName)
    {
        ArgumentNullException.ThrowIfNull(userName);
        return new(CalType.PerUser, "", (domain ?? "").Trim().ToUpperInvariant(), userName.Trim().ToLowerInvariant());
    }

    /// <summary>The subject a request of <paramref name="type"/> is for: the device for Per Device, the user for Per User (a missing part counts as empty).</summary>
    public static CalSubject Of(CalType type, string? hardwareId, string? domain, string? userName) =>
        type == CalType.PerUser ? User(domain, userName ?? "") : Device(hardwareId ?? "");

    /// <summary>
    /// The stored form of <see cref="Of"/>'s subject without building it: what the hot paths (every Connect, every license
    /// request) key on. Same normalisation, same text as <c>Of(...).ToString()</c>.
    /// </summary>
    public static string Format(CalType type, string? hardwareId, string? domain, string? userName) =>
        type == CalType.PerUser
            ? Stored((domain ?? "").Trim().ToUpperInvariant(), (userName ?? "").Trim().ToLowerInvariant())
            : (hardwareId ?? "").Trim();

    /// <summary>
    /// Reads a subject in its stored form back into its parts, as it was stored (it was normalised when it was built):
    /// a Per User subject splits at the first separator; one without a separator is a user name outside a domain.
    /// </summary>
    public static CalSubject Parse(CalType type, string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (type != CalType.PerUser)
        {
            return new(type, subject, "", "");
        }

        var separator = subject.IndexOf(DomainSeparator, StringComparison.Ordinal);
        return separator < 0
            ? new(CalType.PerUser, "", "", subject)
            : new(CalType.PerUser, "", subject[..separator], subject[(separator + 1)..]);
    }

    /// <summary>The stored form: the hardware id, or <c>DOMAIN\user</c>.</summary>
    public override string ToString() => Type == CalType.PerUser ? Stored(Domain, UserName) : HardwareId;

    private static string Stored(string domain, string userName) => string.Concat(domain, "\\", userName);
}
