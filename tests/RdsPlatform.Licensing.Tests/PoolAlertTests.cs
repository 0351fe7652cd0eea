using RdsPlatform.Licensing;

namespace RdsPlatform.Licensing.Tests;

public sealed class PoolAlertTests
{
    private static PoolState State(PoolAvailability availability, long overUsed = 0) => new(availability, overUsed);

    [Fact]
    public void APoolThatBecomesLimitedAlertsOnce()
    {
        Assert.Equal([AlertKind.PoolLimited], PoolAlertRules.Crossed(State(PoolAvailability.Available), State(PoolAvailability.Limited)));
        Assert.Empty(PoolAlertRules.Crossed(State(PoolAvailability.Limited), State(PoolAvailability.Limited)));
    }

    [Fact]
    public void APoolThatRunsOutAlertsNoneWhetherItWasAvailableOrLimited()
    {
        Assert.Equal([AlertKind.PoolNone], PoolAlertRules.Crossed(State(PoolAvailability.Available), State(PoolAvailability.None)));
        Assert.Equal([AlertKind.PoolNone], PoolAlertRules.Crossed(State(PoolAvailability.Limited), State(PoolAvailability.None)));
        Assert.Empty(PoolAlertRules.Crossed(State(PoolAvailability.None), State(PoolAvailability.None)));
    }

    [Fact]
    public void APoolThatRecoversDoesNotAlert()
    {
        Assert.Empty(PoolAlertRules.Crossed(State(PoolAvailability.None), State(PoolAvailability.Available)));
        Assert.Empty(PoolAlertRules.Crossed(State(PoolAvailability.None, 3), State(PoolAvailability.None, 0)));
    }

    [Fact]
    public void TheFirstOverUsedCalAlertsAndMoreDoNot()
    {
        Assert.Equal([AlertKind.PoolOverUsed], PoolAlertRules.Crossed(State(PoolAvailability.None), State(PoolAvailability.None, 1)));
        Assert.Empty(PoolAlertRules.Crossed(State(PoolAvailability.None, 1), State(PoolAvailability.None, 2)));
    }

    [Fact]
    public void ANewPoolCountsAsHavingBeenAvailable()
    {
        Assert.Empty(PoolAlertRules.Crossed(null, State(PoolAvailability.Available)));
        Assert.Equal([AlertKind.PoolNone], PoolAlertRules.Crossed(null, State(PoolAvailability.None)));
    }

    [Fact]
    public void NotTrackingPoolsNeverAlertOnAvailability()
    {
        Assert.Empty(PoolAlertRules.Crossed(State(PoolAvailability.Available), State(PoolAvailability.NotTracking)));
    }
}
