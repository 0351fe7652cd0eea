using CsCheck;

namespace RdsPlatform.Licensing.Tests;

/// <summary>Rules that must hold under any sequence of requests, validations, revocations and passing time.</summary>
public class InvariantProperties
{
    private static readonly ProductVersion[] Versions = Enum.GetValues<ProductVersion>();

    private enum Op
    {
        Request,
        Validate,
        Revoke,
        Wait,
    }

    private readonly record struct Step(Op Op, int Device, int Version, int Days);

    private static readonly Gen<Step> GenStep =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 7], Gen.Int[0, 3], Gen.Int[0, 40], (op, device, version, days) => new Step((Op)op, device, version, days));

    // (seed for the lifetime Random, installed count per version, steps, activation toggles)
    private static readonly Gen<(int Seed, int[] Installed, Step[] Steps, bool PreventUpgrade)> GenScenario =
        Gen.Select(Gen.Int, Gen.Int[0, 12].Array[4], GenStep.Array[1, 120], Gen.Bool);

    private static LicenseServerSimulator Run((int Seed, int[] Installed, Step[] Steps, bool PreventUpgrade) scenario, Action<LicenseServerSimulator, DateTimeOffset, IssuanceOutcome?> afterEachStep)
    {
        var server = new LicenseServerSimulator();
        for (var i = 0; i < Versions.Length; i++)
        {
            if (scenario.Installed[i] > 0)
            {
                server.AddPack(Versions[i], CalType.PerDevice, scenario.Installed[i], At.T0);
            }
        }

        var random = new Random(scenario.Seed);
        var now = At.T0;
        foreach (var step in scenario.Steps)
        {
            var device = $"HW-{step.Device}";
            IssuanceOutcome? outcome = null;
            switch (step.Op)
            {
                case Op.Request:
                    outcome = server.Request(CalType.PerDevice, device, Versions[step.Version], now, random, scenario.PreventUpgrade);
                    break;
                case Op.Validate:
                    foreach (var cal in server.Cals.Values.Where(c => c.Subject == device && c.Status == CalStatus.Temporary).ToList())
                    {
                        server.Validate(cal.LicenseId);
                    }

                    break;
                case Op.Revoke:
                    if (server.Cals.Values.FirstOrDefault(c => c.Subject == device && c.Status == CalStatus.Permanent) is { } permanent)
                    {
                        server.Revoke(permanent.LicenseId, now);
                    }

                    break;
                case Op.Wait:
                    now += TimeSpan.FromDays(step.Days);
                    break;
            }

            afterEachStep(server, now, outcome);
        }

        return server;
    }

    [Fact]
    public void IssuedPermanentPerDeviceCalsNeverExceedInstalledOnes() =>
        GenScenario.Sample(scenario => Run(scenario, (server, now, _) =>
        {
            foreach (var pack in server.Packs)
            {
                Assert.InRange(server.Occupied(pack.Id, now), 0, pack.Installed);
            }
        }), iter: 300);

    [Fact]
    public void EveryPermanentLifetimeLiesWithinFiftyTwoToEightyNineDays() =>
        GenScenario.Sample(scenario => Run(scenario, (_, now, outcome) =>
        {
            if (outcome is { Kind: IssuanceKind.Update or IssuanceKind.Issue, Cal.Status: CalStatus.Permanent } && outcome.Reason != ReasonCode.TemporaryCalValidated)
            {
                var days = (outcome.Cal.ExpiresAt - now).TotalDays;
                Assert.InRange(days, LicensingRules.PermanentCalMinDays, LicensingRules.PermanentCalMaxDays);
                Assert.Equal(Math.Floor(days), days);
            }
        }), iter: 300);

    [Fact]
    public void RevokedCalsNeverExceedTheCap() =>
        GenScenario.Sample(scenario => Run(scenario, (server, now, _) =>
        {
            foreach (var version in Versions)
            {
                var snapshot = server.RevocationSnapshot(version);
                var counted = snapshot.RevokedExpiries.Count(expiry => expiry > now);
                Assert.InRange(counted, 0, RevocationPolicy.Cap(snapshot.InstalledPerDevice));
            }
        }), iter: 300);

    [Fact]
    public void ADeviceNeverHoldsTwoCalsOfOneVersion() =>
        GenScenario.Sample(scenario => Run(scenario, (server, _, _) =>
        {
            var duplicates = server.Cals.Values
                .Where(c => c.Status != CalStatus.Revoked)
                .GroupBy(c => (c.Subject, c.Version))
                .Where(g => g.Count() > 1);
            Assert.Empty(duplicates);
        }), iter: 300);

    [Fact]
    public void DecodingArbitraryBytesNeverThrows() =>
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            CalCertificateCodec.TryDecode(bytes, out _);
        }, iter: 2000);

    [Fact]
    public void TamperedCertificatesNeverVerify()
    {
        using var signer = CalCertificateSigner.Create();
        using var verifier = new CertificateVerifier(signer.PublicKey);
        var bytes = signer.Sign(new CalCertificate(Guid.NewGuid(), Guid.NewGuid(), CalType.PerUser, ProductVersion.WindowsServer2025, @"CONTOSO\bob", false, At.T0, At.Day(60)));

        Gen.Select(Gen.Int[0, bytes.Length - 1], Gen.Byte[1, 255]).Sample((index, mask) =>
        {
            var tampered = bytes.ToArray();
            tampered[index] ^= mask;
            Assert.NotEqual(CertificateCheckStatus.Valid, verifier.Verify(tampered).Status);
        }, iter: 500);
    }
}
