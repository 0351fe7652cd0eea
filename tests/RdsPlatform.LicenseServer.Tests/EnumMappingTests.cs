using System.Reflection;
using RdsPlatform.LicenseServer.Alerts;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.ServiceDefaults.Mapping;
using Core = RdsPlatform.Licensing;
using Storage = RdsPlatform.LicenseServer.Storage;
using Wire = RdsPlatform.Contracts.Common.V1;
using WireLicensing = RdsPlatform.Contracts.Licensing.V1;
using WireReporting = RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>
/// Walks every value of every enum mapped between the core (or the license server) and the contract, both ways, so a
/// value added on either side without a mapping fails here instead of travelling as a wrong number.
/// </summary>
public sealed class EnumMappingTests
{
    private static readonly IReadOnlyDictionary<string, EnumMapping> Mappings = new[]
    {
        EnumMapping.Of<Core.CalType, Wire.CalType>(ContractMapping.ToContract, ContractMapping.ToCore),
        EnumMapping.Of<Core.ProductVersion, Wire.ProductVersion>(ContractMapping.ToContract, ContractMapping.ToCore),
        EnumMapping.Of<Core.LicensingMode, Wire.LicensingMode>(ContractMapping.ToContract, ContractMapping.ToCore),
        EnumMapping.Of<Core.CalStatus, Wire.CalStatus>(ContractMapping.ToContract, ContractMapping.ToCore),
        EnumMapping.Of<Core.KeyPackProgram, Wire.KeyPackProgram>(ContractMapping.ToContract, ContractMapping.ToCore),
        EnumMapping.Of<Core.AgreementType, Wire.AgreementType>(ContractMapping.ToContract, ContractMapping.ToCore),
        EnumMapping.Of<Core.ServerScope, Wire.ServerScope>(ContractMapping.ToContract, ContractMapping.ToCore),
        EnumMapping.Of<Core.ActivationStatus, WireLicensing.ActivationState>(ContractMapping.ToContract, ContractMapping.ToCore),
        EnumMapping.Of<Core.PoolAvailability, WireReporting.Availability>(ContractMapping.ToContract, ContractMapping.ToCore),
        EnumMapping.Of<Core.AlertKind, WireLicensing.AlertType>(ContractMapping.ToContract, ContractMapping.ToCore),
        // Several core reasons (administrative outcomes, refusals sent as status codes) have no wire reason on purpose.
        EnumMapping.Of<Core.ReasonCode, Wire.ReasonCode>(ContractMapping.ToContract, ContractMapping.ToCore, oneToOne: false),
        EnumMapping.Of<Storage.AuditEventType, WireLicensing.AuditEventType>(LicenseServerMapping.ToContract, LicenseServerMapping.ToCore),
        EnumMapping.Of<DeliveryState, WireLicensing.DeliveryStatus>(LicenseServerMapping.ToContract, toCore: null),
    }.ToDictionary(m => m.Name);

    public static TheoryData<string> Names => new(Mappings.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryCoreValueMapsToItsOwnContractValueAndBack(string name)
    {
        var mapping = Mappings[name];
        foreach (var value in mapping.CoreValues)
        {
            var wire = mapping.ToContract(value);
            if (!mapping.OneToOne)
            {
                continue;
            }

            Assert.NotEqual(0, Convert.ToInt32(wire, System.Globalization.CultureInfo.InvariantCulture));
            if (mapping.ToCore is { } toCore)
            {
                Assert.Equal(value, toCore(wire));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryContractValueButUnspecifiedMapsToACoreValueAndBack(string name)
    {
        var mapping = Mappings[name];
        var specified = mapping.WireValues.Where(w => Convert.ToInt32(w, System.Globalization.CultureInfo.InvariantCulture) != 0).ToList();
        if (mapping.ToCore is { } toCore)
        {
            Assert.All(specified, wire => Assert.Equal(wire, mapping.ToContract(toCore(wire) ?? throw new Xunit.Sdk.XunitException($"{wire} has no core value"))));
        }
        else
        {
            Assert.Equal(specified.Order(), mapping.CoreValues.Select(mapping.ToContract).Distinct().Order());
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void UnspecifiedAndUnknownContractValuesMapToNothing(string name)
    {
        var mapping = Mappings[name];
        if (mapping.ToCore is { } toCore)
        {
            Assert.Null(toCore(Enum.ToObject(mapping.WireType, 0)));
            Assert.Null(toCore(Enum.ToObject(mapping.WireType, 9999)));
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void AnUnknownCoreValueFailsLoudly(string name)
    {
        var mapping = Mappings[name];
        Assert.Throws<ArgumentOutOfRangeException>(() => mapping.ToContract(Enum.ToObject(mapping.CoreType, 9999)));
    }

    [Fact]
    public void EveryEnumTheSharedMappingTranslatesIsWalkedHere()
    {
        var mapped = typeof(ContractMapping).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == nameof(ContractMapping.ToContract) && m.GetParameters() is [{ ParameterType.IsEnum: true }])
            .Select(m => m.GetParameters()[0].ParameterType.Name);

        Assert.Empty(mapped.Except(Mappings.Keys));
    }

    private sealed record EnumMapping(
        string Name, Type CoreType, Type WireType, IReadOnlyList<object> CoreValues, IReadOnlyList<object> WireValues,
        Func<object, object> ToContract, Func<object, object?>? ToCore, bool OneToOne)
    {
        public static EnumMapping Of<TCore, TWire>(Func<TCore, TWire> toContract, Func<TWire, TCore?>? toCore, bool oneToOne = true)
            where TCore : struct, Enum
            where TWire : struct, Enum
            => new(typeof(TCore).Name, typeof(TCore), typeof(TWire),
                Enum.GetValues<TCore>().Cast<object>().ToList(), Enum.GetValues<TWire>().Cast<object>().ToList(),
                value => toContract((TCore)value),
                toCore is null ? null : wire => toCore((TWire)wire),
                oneToOne);
    }
}
