using System.Globalization;
using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Net.Client;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;
using Contract = RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LoadTest.Seeding;

/// <summary>
/// Writes issued Per Device CALs straight into a license server's database through the license server's own store (same
/// schema, same column encoding), in large transactions: a million rows in seconds, where a million RequestLicense calls
/// would take many minutes. SQLite: group-commit writes of <see cref="BatchSize"/> rows; PostgreSQL: one binary COPY per
/// batch under the store's write lock. The database must have been created by a license server start (identity and schema).
/// </summary>
public static class LicenseSeeder
{
    public const int BatchSize = 100_000;

    /// <summary>The domain of seeded Per User CALs.</summary>
    public const string SeedDomain = "BENCH";

    /// <param name="keyPackId">Permanent CALs taking seats of this installed pack; null seeds temporary CALs.</param>
    /// <param name="calType">Per Device CALs of hardware ids, or Per User CALs of users in the domain BENCH.</param>
    public static async Task<int> SeedAsync(LicenseSeedTarget target, int count, Guid? keyPackId, DateTimeOffset now, string subjectPrefix,
        CalType calType, Action<int>? progress, CancellationToken cancellationToken)
    {
        using var opened = await target.OpenAsync(cancellationToken);
        var store = opened.Store;
        var written = 0;
        while (written < count)
        {
            var batch = Records(written, Math.Min(BatchSize, count - written), keyPackId, now, subjectPrefix, calType);
            written += store is PostgresLicenseStore postgres
                ? await postgres.CopyLicensesAsync(batch, cancellationToken)
                : await store.WriteAsync(session =>
                {
                    var inserted = 0;
                    foreach (var license in batch)
                    {
                        session.InsertLicense(license);
                        inserted++;
                    }

                    return inserted;
                }, cancellationToken);
            progress?.Invoke(written);
        }

        return written;
    }

    /// <summary>CALs number <paramref name="from"/> on: issue dates spread over the last 30 days, each still valid 30 to 59 more days.</summary>
    internal static IEnumerable<LicenseRecord> Records(int from, int count, Guid? keyPackId, DateTimeOffset now, string subjectPrefix, CalType calType)
    {
        for (var i = from; i < from + count; i++)
        {
            var issued = now.AddDays(-(i % 30)).AddSeconds(-(i % 86_400));
            var expires = now.AddDays(30 + i % 30);
            var subject = calType == CalType.PerUser ? CalSubject.Format(calType, null, SeedDomain, $"{subjectPrefix}-{i}") : $"{subjectPrefix}-{i}";
            var cal = keyPackId is { } pack
                ? new IssuedCal(Guid.CreateVersion7(issued), calType, ProductVersion.WindowsServer2022, subject,
                    CalStatus.Permanent, pack, issued, expires, Validated: true, AssignedAt: issued)
                : new IssuedCal(Guid.CreateVersion7(issued), calType, ProductVersion.WindowsServer2022, subject,
                    CalStatus.Temporary, null, issued, expires);
            yield return calType == CalType.PerUser
                ? new LicenseRecord(cal, null, SeedDomain, $"{subjectPrefix}-{i}", "bench-seed")
                : new LicenseRecord(cal, $"PC-{subjectPrefix}-{i}", null, null, "bench-seed");
        }
    }

    /// <summary>Activates the license server if needed, installs a 2022 pack (Per Device or Per User) of <paramref name="count"/> CALs through its RPCs, and reads its clock.</summary>
    public static async Task<(Guid KeyPackId, DateTimeOffset ServerNow)> InstallPackAsync(Uri licenseServer, int count, CalType calType, Metadata? headers,
        CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(licenseServer);
        var client = new Contract.LicenseServer.LicenseServerClient(channel);
        var options = new CallOptions(headers, DateTime.UtcNow.AddSeconds(30), cancellationToken);
        var info = (await client.GetServerInfoAsync(new Contract.GetServerInfoRequest(), options)).Server;
        if (info.ActivationState == Contract.ActivationState.NotActivated)
        {
            await client.ActivateServerAsync(new Contract.ActivateServerRequest
            {
                Contact = new Contract.ContactDetails { FirstName = "Load", LastName = "Test", Company = "RdsPlatform", Country = "US", Email = "loadtest@example.com" },
            }, options);
        }

        var installed = await client.InstallKeyPackAsync(new Contract.InstallKeyPackRequest
        {
            Program = Contracts.Common.V1.KeyPackProgram.Agreement,
            AgreementType = Contracts.Common.V1.AgreementType.Enterprise,
            AgreementNumber = RandomNumberGenerator.GetInt32(1_000_000, 10_000_000).ToString(CultureInfo.InvariantCulture),
            ProductVersion = Contracts.Common.V1.ProductVersion._2022,
            CalType = calType == CalType.PerUser ? Contracts.Common.V1.CalType.PerUser : Contracts.Common.V1.CalType.PerDevice,
            Count = count,
        }, options);
        var now = (await client.GetServerInfoAsync(new Contract.GetServerInfoRequest(), options)).Server.Now.ToDateTimeOffset();
        return (Guid.Parse(installed.KeyPack.KeyPackId), now);
    }
}
