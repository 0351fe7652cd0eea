using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

// Options bound from configuration and checked once at start-up: a bad value stops the service with a sentence.
public static class OptionsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and validates its data annotations when the
    /// host starts, so a bad value stops the service with the attribute's message (which names the setting) instead of
    /// being clamped, or failing, where it is first used. Add <c>.Validate(...)</c> for rules across members.
    /// </summary>
    /// <remarks>
    /// The binder and the validator read <typeparamref name="TOptions"/> by reflection. Its members are kept by the
    /// annotation below when the gateway is published with Native AOT, whose trimming also leaves our own assemblies whole
    /// (<c>TrimMode=partial</c> in its project); durations are bounded with <c>DurationRange</c>, not the TypeDescriptor
    /// conversion of <c>Range(typeof(TimeSpan), ...)</c>. <c>AotGatewayTests</c> starts that build with a bad setting of
    /// each kind and checks the sentence it stops with.
    /// </remarks>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "TOptions keeps all its members (annotation); the services' option types are in assemblies the AOT publish does not trim, and the AOT gateway's binding and validation are tested.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Binding creates only the options type and its members' types, all kept; checked by AotGatewayTests on the published gateway.")]
    public static OptionsBuilder<TOptions> AddValidatedOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TOptions>(
        this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
