using System.Globalization;
using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RdsPlatform.LicenseServer;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Storage;
using Contract = RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LoadTest.Seeding;

/// <summary>
/// Writes issued Per Device CALs straight into a license server's SQLite file through the license server's own store
/// (same schema, same column encoding), in large transactions: a million rows in seconds, where a million RequestLicense
/// calls would take many minutes. The file must have been created by a license server start (identity and schema).
/// </summary>
public static class LicenseSeeder
{
    public const int BatchSize = 100_000;

    /// <param name="keyPackId">Permanent CALs taking seats of this installed pack; null seeds temporary CALs.</param>
    public static async Task<int> SeedAsync(string dataDirectory, int count, Guid? keyPackId, DateTimeOffset now, string subjectPrefix,
        Action<int>? progress, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetFullPath(dataDirectory), SqliteLicenseStore.FileName);
        if (!File.Exists(path))
        {
            throw new Cli.UsageException($"No license database at {path}; start the license server once with Storage:DataDirectory={dataDirectory} so it creates its schema and identity, then seed.");
        }

        var store = new SqliteLicenseStore(Options.Create(new StorageOptions { DataDirectory = Path.GetFullPath(dataDirectory) }),
            new SeedEnvironment(), TimeProvider.System);
        var written = 0;
        while (written < count)
        {
            var from = written;
            var batch = Math.Min(BatchSize, count - written);
            await store.WriteAsync(session =>
            {
                for (var i = from; i < from + batch; i++)
                {
                    // Spread issue dates over the last 30 days; every CAL is still valid for 30 to 59 more days.
                    var issued = now.AddDays(-(i % 30)).AddSeconds(-(i % 86_400));
                    var expires = now.AddDays(30 + i % 30);
                    var cal = keyPackId is { } pack
                        ? new IssuedCal(Guid.CreateVersion7(issued), CalType.PerDevice, ProductVersion.WindowsServer2022, $"{subjectPrefix}-{i}",
                            CalStatus.Permanent, pack, issued, expires, Validated: true, AssignedAt: issued)
                        : new IssuedCal(Guid.CreateVersion7(issued), CalType.PerDevice, ProductVersion.WindowsServer2022, $"{subjectPrefix}-{i}",
                            CalStatus.Temporary, null, issued, expires);
                    session.InsertLicense(new LicenseRecord(cal, $"PC-{subjectPrefix}-{i}", null, null, "bench-seed"));
                }

                return batch;
            }, cancellationToken);
            written += batch;
            progress?.Invoke(written);
        }

        store.Dispose();
        return written;
    }

    /// <summary>Activates the license server if needed, installs a Per Device 2022 pack of <paramref name="count"/> CALs through its RPCs, and reads its clock.</summary>
    public static async Task<(Guid KeyPackId, DateTimeOffset ServerNow)> InstallPackAsync(Uri licenseServer, int count, Metadata? headers, CancellationToken cancellationToken)
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
            CalType = Contracts.Common.V1.CalType.PerDevice,
            Count = count,
        }, options);
        var now = (await client.GetServerInfoAsync(new Contract.GetServerInfoRequest(), options)).Server.Now.ToDateTimeOffset();
        return (Guid.Parse(installed.KeyPack.KeyPackId), now);
    }

    private sealed class SeedEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;

        public string ApplicationName { get; set; } = "RdsPlatform.LoadTest";

        public string ContentRootPath { get; set; } = Directory.GetCurrentDirectory();

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
