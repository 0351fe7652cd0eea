using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace RdsPlatform.ServiceDefaults;

/// <summary>
/// A duration setting's inclusive bounds, written as invariant <see cref="TimeSpan"/> text (<c>[d.]hh:mm:ss[.fffffff]</c>).
/// It checks what <c>[Range(typeof(TimeSpan), minimum, maximum)]</c> checks without that constructor's conversion through
/// <c>TypeDescriptor</c>, reflection that trimming may remove: the gateway is also published with Native AOT
/// (docs/session-host.md, "Publishing with Native AOT"), and its settings must be refused there with the same sentences.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class DurationRangeAttribute(string minimum, string maximum) : ValidationAttribute("The field {0} must be between {1} and {2}.")
{
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);

    /// <summary>An unset value passes, as with <see cref="RangeAttribute"/>; anything but a duration does not.</summary>
    public override bool IsValid(object? value) => value switch
    {
        null => true,
        TimeSpan duration => duration >= Minimum && duration <= Maximum,
        _ => false,
    };

    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.CurrentCulture, ErrorMessageString, name, Minimum, Maximum);
}
