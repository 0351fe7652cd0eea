namespace RdsPlatform.Licensing.Tests;

public class PoolAvailabilityTests
{
    [Theory]
    [InlineData(100, 50, PoolAvailability.Available)]
    [InlineData(100, 11, PoolAvailability.Available)]
    [InlineData(100, 10, PoolAvailability.Limited)]
    [InlineData(100, 1, PoolAvailability.Limited)]
    [InlineData(5, 1, PoolAvailability.Available)]
    [InlineData(10, 1, PoolAvailability.Limited)]
    [InlineData(100, 0, PoolAvailability.None)]
    [InlineData(0, 0, PoolAvailability.None)]
    public void PoolIsLimitedWhenAtMostTenPercentIsFreeAndNoneWhenNothingIsFree(long installed, long available, PoolAvailability expected)
    {
        Assert.Equal(expected, PoolAvailabilityRules.Classify(CalType.PerDevice, ServerScope.Domain, installed, available));
        Assert.Equal(expected, PoolAvailabilityRules.Classify(CalType.PerUser, ServerScope.Domain, installed, available));
    }

    [Fact]
    public void PerUserPoolOfWorkgroupServerIsNotTracking() =>
        Assert.Equal(PoolAvailability.NotTracking, PoolAvailabilityRules.Classify(CalType.PerUser, ServerScope.Workgroup, 100, 100));

    [Fact]
    public void PerDevicePoolOfWorkgroupServerIsStillTracked() =>
        Assert.Equal(PoolAvailability.Available, PoolAvailabilityRules.Classify(CalType.PerDevice, ServerScope.Workgroup, 100, 100));
}
