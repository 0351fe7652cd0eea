using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>The application's shared wording: audit entries of a CAL, not-found refusals and blank input.</summary>
internal static class ApplicationText
{
    public static AuditEntry Audit(DateTimeOffset now, AuditEventType type, string detail, ReasonCode reason, LicenseRecord license) =>
        new(now, type, detail, reason, license.Cal.LicenseId, license.Cal.KeyPackId, license.Cal.Type, license.Cal.Version, license.Cal.Subject, license.SessionHostId);

    public static Problem KeyPackNotFound(Guid id) =>
        Problem.NotFound($"No key pack with id {id} is installed; list the installed key packs with ListKeyPacks.");

    public static Problem LicenseNotFound(Guid id) =>
        Problem.NotFound($"No license with id {id} was issued by this license server; request a new license instead.");

    public static string Describe(CalType type) => type == CalType.PerDevice ? "Per Device" : "Per User";

    public static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
