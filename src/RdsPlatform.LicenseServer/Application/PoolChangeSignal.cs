using RdsPlatform.LicenseServer.Alerts;
using RdsPlatform.LicenseServer.Telemetry;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>Tells the pool gauges and the pool alerts that seats or packs changed; neither is waited for.</summary>
public sealed class PoolChangeSignal(LicenseServerMetrics metrics, AlertMonitor alerts)
{
    public void PoolsChanged()
    {
        metrics.PoolsChanged();
        alerts.PoolsChanged();
    }
}
