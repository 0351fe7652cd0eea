using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>
/// Counts failed authentications per remote address. Only failures reach it: a call with a valid key never touches
/// it, so authenticated traffic from the same address is not slowed. Memory is bounded by
/// <see cref="AuthOptions.MaxTrackedAddresses"/>.
/// </summary>
public sealed class AuthFailureLimiter(IOptions<AuthOptions> options)
{
    private const string Overflow = "(overflow)";
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = TimeProvider.System;

    public int TrackedAddresses => _windows.Count;

    /// <summary>Records one failure; returns how long the address must wait when it is over the limit, else null.</summary>
    public TimeSpan? RecordFailure(string address)
    {
        var limit = options.Value;
        var now = _time.GetUtcNow();
        if (!_windows.TryGetValue(address, out var window))
        {
            if (_windows.Count >= limit.MaxTrackedAddresses)
            {
                Sweep(now);
            }

            window = _windows.Count >= limit.MaxTrackedAddresses
                ? _windows.GetOrAdd(Overflow, _ => new Window(now))
                : _windows.GetOrAdd(address, _ => new Window(now));
        }

        lock (window)
        {
            if (window.BlockedUntil is { } blocked)
            {
                if (now < blocked)
                {
                    return blocked - now;
                }

                window.BlockedUntil = null;
                window.Start = now;
                window.Count = 0;
            }
            else if (now - window.Start > limit.FailureWindow)
            {
                window.Start = now;
                window.Count = 0;
            }

            window.Count++;
            if (window.Count > limit.FailureLimit)
            {
                window.BlockedUntil = now + limit.FailureWindow;
                return limit.FailureWindow;
            }

            return null;
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        var window = options.Value.FailureWindow;
        foreach (var (address, state) in _windows)
        {
            lock (state)
            {
                var ends = state.BlockedUntil ?? state.Start + window;
                if (ends < now)
                {
                    _windows.TryRemove(address, out _);
                }
            }
        }
    }

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;

        public int Count { get; set; }

        public DateTimeOffset? BlockedUntil { get; set; }
    }
}
