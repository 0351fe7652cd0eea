using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.Reliability.Tests;

/// <summary>What callers were told: every response received is a promise the store must keep.</summary>
public sealed class Ledger
{
    private readonly ConcurrentDictionary<string, Acknowledged> _byLicense = new();
    private readonly ConcurrentQueue<StatusCode> _failures = new();
    private int _responses;

    public int Responses => Volatile.Read(ref _responses);

    public IReadOnlyCollection<Acknowledged> Acknowledged => _byLicense.Values.ToList();

    public IReadOnlyList<StatusCode> Failures => _failures.ToList();

    public void Record(IssuedLicense license, CalCertificate? certificate)
    {
        Interlocked.Increment(ref _responses);
        _byLicense.AddOrUpdate(license.LicenseId,
            _ => new Acknowledged(license.Subject, license.LicenseId, license.Status, license.Validated, license.KeyPackId, certificate),
            (_, known) => known.Merge(license, certificate));
    }

    public void Fail(StatusCode status) => _failures.Enqueue(status);

    /// <summary>
    /// One session host's stream of new devices, each asking for a temporary CAL, validating it and asking again
    /// (an upgrade while seats last), until the count is done or the server stops answering.
    /// </summary>
    public async Task RunIssuanceWorkerAsync(LicenseServerClient licenseServer, string prefix, int devices, CancellationToken stop)
    {
        for (var n = 0; n < devices && !stop.IsCancellationRequested; n++)
        {
            try
            {
                await AddDeviceAsync(licenseServer, $"{prefix}-{n:D4}");
            }
            catch (RpcException ex)
            {
                Fail(ex.StatusCode);
                return;
            }
        }
    }

    /// <summary>
    /// A new device asks for a temporary CAL, validates it and asks again (an upgrade while seats last), each answer
    /// recorded as it arrives; returns the license id of the last. A refusal is thrown to the caller.
    /// </summary>
    public async Task<string> AddDeviceAsync(LicenseServerClient licenseServer, string hardwareId)
    {
        var request = new RequestLicenseRequest
        {
            SessionHostId = "rdsh-1",
            SessionHostVersion = ProductVersion._2022,
            CalType = CalType.PerDevice,
            HardwareId = hardwareId,
            ComputerName = $"PC-{hardwareId}",
        };
        var temporary = await licenseServer.RequestLicenseAsync(request, deadline: DateTime.UtcNow.AddSeconds(20));
        Record(temporary.License, temporary.Certificate);
        var validated = await licenseServer.MarkLicenseValidatedAsync(
            new MarkLicenseValidatedRequest { LicenseId = temporary.License.LicenseId, SessionHostId = "rdsh-1" }, deadline: DateTime.UtcNow.AddSeconds(20));
        Record(validated.License, null);
        var upgraded = await licenseServer.RequestLicenseAsync(request, deadline: DateTime.UtcNow.AddSeconds(20));
        Record(upgraded.License, upgraded.Certificate);
        return upgraded.License.LicenseId;
    }

    /// <summary>Runs the workers, fires the fault once this many responses were received, and returns when all workers stopped.</summary>
    public async Task<TimeSpan> RunWithFaultAsync(int workers, Func<int, Task> worker, int faultAfterResponses, Func<Task> fault)
    {
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(() => worker(w))).ToList();
        await Poll.UntilAsync(() => Task.FromResult(Responses >= faultAfterResponses || tasks.All(t => t.IsCompleted)),
            TimeSpan.FromSeconds(60), "The load never reached the point of the fault.");
        var stopwatch = Stopwatch.StartNew();
        await fault();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
        return stopwatch.Elapsed;
    }
}

public sealed record Acknowledged(string Subject, string LicenseId, CalStatus Status, bool Validated, string KeyPackId, CalCertificate? Certificate)
{
    /// <summary>Keeps the most advanced state a caller was told (permanent beats temporary, validated beats not).</summary>
    public Acknowledged Merge(IssuedLicense license, CalCertificate? certificate)
    {
        var permanent = Status == CalStatus.Permanent || license.Status == CalStatus.Permanent;
        return this with
        {
            Status = permanent ? CalStatus.Permanent : license.Status,
            Validated = Validated || license.Validated,
            KeyPackId = permanent && Status == CalStatus.Permanent ? KeyPackId : license.KeyPackId,
            Certificate = license.Status == CalStatus.Permanent && certificate is not null ? certificate : Certificate,
        };
    }
}
