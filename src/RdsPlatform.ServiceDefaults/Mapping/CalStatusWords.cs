using RdsPlatform.Contracts.Common.V1;

namespace RdsPlatform.ServiceDefaults.Mapping;

/// <summary>The words RD Licensing Manager shows for a CAL's status, shared by the manager's pages and the reports' CSV.</summary>
public static class CalStatusWords
{
    /// <summary>Null for a status the manager has no word for (unspecified, or a number from a newer contract).</summary>
    public static string? Of(CalStatus status) => status switch
    {
        CalStatus.Temporary => "Temporary",
        CalStatus.Permanent => "Permanent",
        CalStatus.Revoked => "Revoked",
        CalStatus.Expired => "Expired",
        CalStatus.Overused => "OverUsed",
        CalStatus.Active => "Active",
        _ => null,
    };
}
