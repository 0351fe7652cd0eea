namespace RdsPlatform.Licensing;

/// <summary>Where a license server stands with activation (R15).</summary>
public enum ActivationStatus
{
    NotActivated = 0,
    Activated = 1,
    Deactivated = 2,
}

/// <summary>Contact details required to activate a license server.</summary>
public sealed record ActivationContact(string? FirstName, string? LastName, string? Company, string? Country, string? Email = null);

/// <summary>A license server's activation state as its store keeps it.</summary>
public sealed record ActivationState(
    ActivationStatus Status,
    ActivationContact? Contact = null,
    DateTimeOffset? ActivatedAt = null,
    DateTimeOffset? DeactivatedAt = null,
    string? LastReactivationReason = null)
{
    public static ActivationState Initial { get; } = new(ActivationStatus.NotActivated);

    public bool IsActivated => Status == ActivationStatus.Activated;
}

/// <summary>The result of an activation change; <see cref="State"/> is the state to store (unchanged when refused).</summary>
public sealed record ActivationOutcome(bool Succeeded, ReasonCode Reason, string Message, ActivationState State, IReadOnlyList<FieldViolation> Violations);

/// <summary>R15: activate, deactivate, reactivate; and what an unactivated server may issue.</summary>
public static class ActivationPolicy
{
    /// <summary>Longest accepted contact field or reason.</summary>
    public const int MaxFieldLength = 128;

    /// <summary>Activate with contact details (first name, last name, company, country required).</summary>
    public static ActivationOutcome Activate(ActivationState state, ActivationContact? contact, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.IsActivated)
        {
            return new(false, ReasonCode.AlreadyActivated, "The license server is already activated; use reactivate to activate it again.", state, []);
        }

        var violations = ValidateContact(contact);
        if (violations.Count > 0)
        {
            return new(false, ReasonCode.InvalidInput, "Activation needs the contact details listed.", state, violations);
        }

        var activated = state with { Status = ActivationStatus.Activated, Contact = Trim(contact!), ActivatedAt = now, DeactivatedAt = null };
        return new(true, ReasonCode.ServerActivated, "The license server is activated and can issue permanent licenses.", activated, []);
    }

    /// <summary>Deactivate; CALs already issued stay valid, new permanent ones are not issued.</summary>
    public static ActivationOutcome Deactivate(ActivationState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.IsActivated)
        {
            return new(false, ReasonCode.ServerNotActivated, "The license server is not activated.", state, []);
        }

        return new(true, ReasonCode.ServerDeactivated,
            "The license server is deactivated; licenses already issued stay valid, and it issues only temporary licenses until activated again.",
            state with { Status = ActivationStatus.Deactivated, DeactivatedAt = now }, []);
    }

    /// <summary>Reactivate (after a deactivation, or to replace the server's activation) with a reason; contact details may be updated.</summary>
    public static ActivationOutcome Reactivate(ActivationState state, string? reason, DateTimeOffset now, ActivationContact? contact = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status == ActivationStatus.NotActivated)
        {
            return new(false, ReasonCode.ServerNotActivated, "The license server was never activated; activate it first.", state, []);
        }

        var violations = new List<FieldViolation>();
        Require(violations, "reason", reason, "Give the reason for reactivating the license server.");
        var newContact = contact ?? state.Contact;
        violations.AddRange(ValidateContact(newContact));
        if (violations.Count > 0)
        {
            return new(false, ReasonCode.InvalidInput, "Reactivation needs the details listed.", state, violations);
        }

        var reactivated = state with
        {
            Status = ActivationStatus.Activated,
            Contact = Trim(newContact!),
            ActivatedAt = now,
            DeactivatedAt = null,
            LastReactivationReason = reason!.Trim(),
        };
        return new(true, ReasonCode.ServerReactivated, "The license server is reactivated.", reactivated, []);
    }

    /// <summary>R15: an unactivated server issues only temporary Per Device CALs and temporary Per User records; activated issues all.</summary>
    public static bool MayIssue(ActivationState state, CalType type, CalStatus status) =>
        Enum.IsDefined(type) && (state.IsActivated || status == CalStatus.Temporary);

    /// <summary>Every missing or too-long contact field.</summary>
    public static IReadOnlyList<FieldViolation> ValidateContact(ActivationContact? contact)
    {
        var violations = new List<FieldViolation>();
        Require(violations, "contact.first_name", contact?.FirstName, "Enter the first name of the contact.");
        Require(violations, "contact.last_name", contact?.LastName, "Enter the last name of the contact.");
        Require(violations, "contact.company", contact?.Company, "Enter the company name.");
        Require(violations, "contact.country", contact?.Country, "Enter the country or region.");
        if (contact?.Email is { Length: > 0 } email && (email.Length > MaxFieldLength || !email.Contains('@', StringComparison.Ordinal)))
        {
            violations.Add(new("contact.email", "Enter a valid e-mail address, or leave it empty."));
        }

        return violations;
    }

    private static void Require(List<FieldViolation> violations, string field, string? value, string missing)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            violations.Add(new(field, missing));
        }
        else if (value.Trim().Length > MaxFieldLength)
        {
            violations.Add(new(field, $"Use at most {MaxFieldLength} characters."));
        }
    }

    private static ActivationContact Trim(ActivationContact c) =>
        new(c.FirstName?.Trim(), c.LastName?.Trim(), c.Company?.Trim(), c.Country?.Trim(), string.IsNullOrWhiteSpace(c.Email) ? null : c.Email.Trim());
}
