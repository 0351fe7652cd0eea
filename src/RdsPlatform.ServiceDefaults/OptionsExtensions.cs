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
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
