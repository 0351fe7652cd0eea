using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Tests.Replicas;

/// <summary>Replicas are one license server: one server id and one signing key, whichever replica signed a CAL.</summary>
public sealed class OneIdentityTests(PostgresDatabaseFixture database) : ReplicaTests(database, "lsid")
{
    [Fact]
    public async Task ThreeReplicasReportOneServerIdAndACalSignedByAnyVerifiesWithTheKeyAnotherPublishes()
    {
        var clients = Replicas.StartThree();

        var infos = await Task.WhenAll(clients.Select(async c => (await c.GetServerInfoAsync(new GetServerInfoRequest())).Server));
        var issued = await Task.WhenAll(clients.Select((c, i) => c.RequestLicenseAsync(Requests.Device($"id-{i}")).ResponseAsync));

        Assert.Single(infos.Select(i => (i.ServerId, Convert.ToHexString(i.PublicKey.Span))).Distinct());
        Assert.Single(await Replicas.QueryAsync<string>("SELECT server_id::text FROM server"));
        for (var signer = 0; signer < 3; signer++)
        {
            // The key published by the next replica verifies what this one signed.
            using var verifier = new CertificateVerifier(infos[(signer + 1) % 3].PublicKey.ToByteArray());
            var verified = verifier.Verify(issued[signer].Certificate.Data.Span);
            Assert.Equal(CertificateCheckStatus.Valid, verified.Status);
            Assert.Equal((Guid.Parse(infos[0].ServerId), $"id-{signer}"), (verified.Certificate!.IssuerId, verified.Certificate.Subject));
        }
    }
}
