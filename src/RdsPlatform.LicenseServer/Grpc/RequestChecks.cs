using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.ServiceDefaults.Grpc;
using RdsPlatform.ServiceDefaults.Outcomes;
using static RdsPlatform.LicenseServer.Grpc.LicenseServerMapping;
using static RdsPlatform.ServiceDefaults.Mapping.ContractMapping;
using FieldViolation = RdsPlatform.Licensing.FieldViolation;

namespace RdsPlatform.LicenseServer.Grpc;

/// <summary>Field checks of the license server's requests, each adding a violation a person can act on; none changes anything.</summary>
internal static class RequestChecks
{
    /// <summary>Longest accepted identifier or name in a request.</summary>
    public const int MaxTextLength = 256;

    /// <summary>Longest accepted webhook URL.</summary>
    public const int MaxWebhookUrlLength = Alerts.WebhookUrlRules.MaxUrlLength;

    public const int MinWebhookSecretLength = 16;

    public const int MaxWebhookSecretLength = 256;

    public static LicenseRequestInput MapToInput(RequestLicenseRequest request)
    {
        var problems = new List<FieldViolation>();
        var version = ToCore(request.SessionHostVersion);
        var type = ToCore(request.CalType);
        if (version is null)
        {
            problems.Add(new("session_host_version", "Give the session host's version: 2016, 2019, 2022 or 2025."));
        }

        if (type is null)
        {
            problems.Add(new("cal_type", "Choose the CAL type: Per Device or Per User."));
        }
        else if (type == CalType.PerDevice && string.IsNullOrWhiteSpace(request.HardwareId))
        {
            problems.Add(new("hardware_id", "A Per Device license needs the client's hardware id."));
        }
        else if (type == CalType.PerUser && string.IsNullOrWhiteSpace(request.UserName))
        {
            problems.Add(new("user_name", "A Per User license needs the user's account name."));
        }

        Length(problems, "session_host_id", request.SessionHostId);
        Length(problems, "hardware_id", request.HardwareId);
        Length(problems, "computer_name", request.ComputerName);
        Length(problems, "user_domain", request.UserDomain);
        Length(problems, "user_name", request.UserName);
        Check(problems, "The license request is invalid.");
        return new LicenseRequestInput(request.SessionHostId, version!.Value, type!.Value, request.HardwareId, request.ComputerName,
            request.UserDomain, request.UserName, request.PreventUpgrade);
    }

    public static ActivationContact? MapToContact(ContactDetails? contact) =>
        contact is null ? null : new ActivationContact(contact.FirstName, contact.LastName, contact.Company, contact.Country, contact.Email);

    public static Guid KeyPackId(string text) => Id(text, "key_pack_id", "Give the key pack id as ListKeyPacks shows it.");

    public static Guid SubscriptionId(string text) =>
        Id(text, "subscription_id", "Give the subscription id as ListWebhookSubscriptions shows it.");

    public static Guid LicenseId(string text) => Id(text, "license_id", "Give the license id as RequestLicense or ListIssuedLicenses shows it.");

    /// <summary>An id a filter may leave empty: null when empty, a field violation when it is not an id.</summary>
    public static Guid? OptionalId(List<FieldViolation> problems, string field, string text, string hint)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (Guid.TryParse(text, out var id))
        {
            return id;
        }

        problems.Add(new(field, hint));
        return null;
    }

    /// <summary>Length and character set of a text field (<see cref="InputRules.Text"/>).</summary>
    public static List<FieldViolation> Length(List<FieldViolation> problems, string field, string text)
    {
        if (InputRules.Text(text, MaxTextLength) is { } problem)
        {
            problems.Add(new(field, problem));
        }

        return problems;
    }

    public static List<FieldViolation> Enum<T>(List<FieldViolation> problems, string field, T value, bool allowUnspecified) where T : struct, System.Enum
    {
        if (InputRules.Defined(value, allowUnspecified) is { } problem)
        {
            problems.Add(new(field, problem));
        }

        return problems;
    }

    public static List<FieldViolation> Contact(List<FieldViolation> problems, ContactDetails? contact)
    {
        if (contact is not null)
        {
            Length(problems, "contact.first_name", contact.FirstName);
            Length(problems, "contact.last_name", contact.LastName);
            Length(problems, "contact.company", contact.Company);
            Length(problems, "contact.country", contact.Country);
            Length(problems, "contact.email", contact.Email);
        }

        return problems;
    }

    public static void Check(List<FieldViolation> problems, string message = "The request is invalid.") => problems.ThrowIfAny(message);

    /// <summary>The statuses a CountIssuedLicenses asks for: at least one, each a status a CAL is stored with (not Expired).</summary>
    public static HashSet<CalStatus> CountedStatuses(CountIssuedLicensesRequest request)
    {
        var problems = new List<FieldViolation>();
        if (request.Statuses.Count == 0)
        {
            problems.Add(new("statuses", "Name at least one status to count, e.g. CAL_STATUS_TEMPORARY."));
        }

        if (InputRules.Count(request.Statuses.Count) is { } tooMany)
        {
            problems.Add(new("statuses", tooMany));
        }

        var statuses = new HashSet<CalStatus>();
        foreach (var status in request.Statuses.Take(InputRules.MaxRepeatedCount))
        {
            if (ToCore(status) is { } known && known != CalStatus.Expired)
            {
                statuses.Add(known);
            }
            else
            {
                problems.Add(new("statuses", $"{status} cannot be counted: expired CALs have dropped off the list (R10); name TEMPORARY, PERMANENT, REVOKED or OVERUSED."));
            }
        }

        Check(problems, "The licenses were not counted.");
        return statuses;
    }

    /// <summary>The audit event types asked for (empty = all), after checking the cursor, the limit and each type.</summary>
    public static HashSet<Storage.AuditEventType> AuditRequest(GetAuditTrailRequest request)
    {
        var problems = new List<FieldViolation>();
        if (request.AfterSequence < 0)
        {
            problems.Add(new("after_sequence", "Give the last sequence you received, or 0 to start from the beginning."));
        }

        if (request.Limit < 0)
        {
            problems.Add(new("limit", "Give how many events to return at most, or 0 for all."));
        }

        if (InputRules.Count(request.Types_.Count) is { } tooMany)
        {
            problems.Add(new("types", tooMany));
        }

        var types = new HashSet<Storage.AuditEventType>();
        foreach (var type in request.Types_.Take(InputRules.MaxRepeatedCount))
        {
            if (ToCore(type) is { } known)
            {
                types.Add(known);
            }
            else
            {
                problems.Add(new("types", $"{type} is not an audit event type."));
            }
        }

        Check(problems, "The audit trail request is invalid.");
        return types;
    }

    /// <summary>The URL and alert types of a new subscription, after checking them and the secret's length.</summary>
    public static (Uri Url, List<AlertKind> Types) WebhookRequest(CreateWebhookSubscriptionRequest request, bool allowLinkLocal)
    {
        var problems = new List<FieldViolation>();
        var url = Alerts.WebhookUrlRules.Check(request.Url, allowLinkLocal, problems);

        var types = new List<AlertKind>();
        foreach (var type in request.EventTypes)
        {
            if (ToCore(type) is { } kind)
            {
                types.Add(kind);
            }
            else
            {
                problems.Add(new("event_types", $"{type} is not an alert type; choose POOL_LIMITED, POOL_NONE, POOL_OVERUSED, REVOKE_CAP_REACHED or GRACE_PERIOD_LOW."));
            }
        }

        if (request.EventTypes.Count == 0)
        {
            problems.Add(new("event_types", "Choose at least one alert type to deliver."));
        }

        if (request.Secret.Length is < MinWebhookSecretLength or > MaxWebhookSecretLength)
        {
            problems.Add(new("secret", $"Give a secret of {MinWebhookSecretLength} to {MaxWebhookSecretLength} characters; the receiver verifies signatures with it."));
        }

        Check(problems, "The webhook subscription is invalid.");
        return (url!, types);
    }

    private static Guid Id(string text, string field, string hint)
    {
        if (!Guid.TryParse(text, out var id))
        {
            throw Problem.Invalid(field, string.IsNullOrWhiteSpace(text) ? $"Required. {hint}" : $"Not a valid id. {hint}").ToRpcException();
        }

        return id;
    }
}
