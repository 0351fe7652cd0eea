using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.ServiceDefaults.Outcomes;
using RdsPlatform.ServiceDefaults.Security;
using StackExchange.Redis;

namespace RdsPlatform.ServiceDefaults.Clock;

/// <summary><c>rds.admin.v1.Clock</c>: the time every rule reads, and in simulated mode the way to move it.</summary>
public sealed class ClockService(SharedClock clock, SharedClockSync sync) : Contracts.Admin.V1.Clock.ClockBase
{
    [AllowRoles(RdsRoles.Admin, RdsRoles.SessionHost, RdsRoles.Client, RdsRoles.Reporter)]
    public override Task<GetTimeResponse> GetTime(GetTimeRequest request, ServerCallContext context)
        => Task.FromResult(new GetTimeResponse
        {
            Now = Timestamp.FromDateTimeOffset(clock.GetUtcNow()),
            Mode = ToContract(clock.Mode),
            Offset = Duration.FromTimeSpan(clock.Offset),
        });

    [AllowRoles(RdsRoles.Admin)]
    public override async Task<AdvanceResponse> Advance(AdvanceRequest request, ServerCallContext context)
    {
        if (clock.Mode != ClockMode.Simulated)
        {
            throw Problem.FailedPrecondition(
                "This service runs on the system clock, so time cannot be advanced. Run every service with Clock:Mode=Simulated (Development and tests only) to simulate time.")
                .ToRpcException();
        }

        if (request.By is null)
        {
            throw Problem.Invalid("by", "Say how far to advance, for example 86400s for one day.").ToRpcException();
        }

        // Checked before conversion: a Duration far out of range cannot be turned into a TimeSpan at all.
        var seconds = request.By.Seconds;
        var by = seconds is >= 0 and <= 3_153_600_000L && request.By.Nanos is >= 0 and < 1_000_000_000
            ? request.By.ToTimeSpan()
            : TimeSpan.MinValue;
        if (by <= TimeSpan.Zero || by > ClockOptions.MaxAdvance)
        {
            throw Problem.Invalid("by", $"Must be positive and at most {ClockOptions.MaxAdvance.TotalDays:0} days; time never runs backwards.").ToRpcException();
        }

        TimeSpan offset;
        try
        {
            offset = await sync.AdvanceAsync(by);
        }
        catch (ArgumentOutOfRangeException ex) when (ex.ActualValue is TimeSpan ahead)
        {
            // Past ClockOptions.MaxOffset (SharedClockSync enforces it, before and after the shared increment): nothing moved.
            throw Problem.Invalid("by", SharedClockSync.TooFar(ahead)).ToRpcException();
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            throw Problem.Unavailable("The cache that shares simulated time between services is unreachable; time was not advanced. Try again when the cache is back.")
                .ToRpcException();
        }

        return new AdvanceResponse { Now = Timestamp.FromDateTimeOffset(clock.GetUtcNow()), Offset = Duration.FromTimeSpan(offset) };
    }

    private static Contracts.Admin.V1.ClockMode ToContract(ClockMode mode) => mode switch
    {
        ClockMode.System => Contracts.Admin.V1.ClockMode.System,
        ClockMode.Simulated => Contracts.Admin.V1.ClockMode.Simulated,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "A clock mode without a contract value; add it here."),
    };
}
