using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace RdsPlatform.Testing;

/// <summary>A webhook receiver on a loopback port inside the test: records each POST and answers what <see cref="Answer"/> says.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var port = KestrelHosting.FreePort();
        // Http1 set here: the test's output folder holds the license server's appsettings.json (Http2 endpoint defaults).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1));
        _app = builder.Build();
        _app.MapPost("/hook", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            Received.Enqueue(new ReceivedDelivery(body, context.Request.Headers["Rds-Signature"].ToString(),
                context.Request.Headers["Rds-Event-Type"].ToString(), context.Request.Headers["Rds-Delivery-Id"].ToString()));
            if (DelayBeforeAnswer(Received.Count) is { } delay && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, context.RequestAborted);
            }

            var status = Answer(Received.Count);
            if (status is null)
            {
                // A receiver that took the request and never answers: the delivery stays in flight.
                await _release.Task.WaitAsync(context.RequestAborted);
                status = 200;
            }

            context.Response.StatusCode = status.Value;
        });
        Url = new Uri($"http://127.0.0.1:{port}/hook");
    }

    public Uri Url { get; }

    public ConcurrentQueue<ReceivedDelivery> Received { get; } = new();

    /// <summary>The HTTP status for the n-th request (1-based); null to hang until disposed.</summary>
    public Func<int, int?> Answer { get; set; } = _ => 200;

    /// <summary>How long the n-th request (1-based) waits before it is answered.</summary>
    public Func<int, TimeSpan?> DelayBeforeAnswer { get; set; } = _ => null;

    public Task StartAsync() => _app.StartAsync();

    public async Task<ReceivedDelivery> WaitForAsync(int count)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (Received.Count < count)
        {
            Assert.True(DateTime.UtcNow < until, $"The receiver got {Received.Count} of {count} deliveries within 60 s.");
            await Task.Delay(25);
        }

        return Received.ElementAt(count - 1);
    }

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedDelivery(string Body, string Signature, string EventType, string DeliveryId)
{
    /// <summary>The <c>t</c> of <c>Rds-Signature: t=...,v1=...</c>: when the attempt was signed (Unix seconds).</summary>
    public long SignedAt => long.Parse(Part("t"), CultureInfo.InvariantCulture);

    /// <summary>Whether <c>v1</c> is HMAC-SHA256 of <c>"{t}.{body}"</c> keyed with <paramref name="secret"/>, as a receiver checks it.</summary>
    public bool IsSignedWith(string secret) =>
        Part("v1") == Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{Part("t")}.{Body}")));

    private string Part(string name) =>
        Signature.Split(',').Select(p => p.Split('=', 2)).Single(p => p[0] == name)[1];
}
