using System.Buffers.Binary;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.LoadTest.Setup;

namespace RdsPlatform.LoadTest.Tests;

/// <summary>The request bodies setup writes for h2load: one gRPC length-prefixed message each, of the first device.</summary>
public sealed class H2loadBodyTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rds-load-tests", Guid.NewGuid().ToString("N"));

    private static readonly SetupState State = new("http://127.0.0.1:1/", "http://127.0.0.1:2/", "bench-host", SetupCommand.Version, true,
    [
        new BenchDevice("bench-dev-0", "PC-bench-dev-0", Convert.ToBase64String([1, 2, 3, 250]), "session-0"),
        new BenchDevice("bench-dev-1", "PC-bench-dev-1", Convert.ToBase64String([4, 5]), "session-1"),
    ]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void TheConnectBodyIsOneFramedConnectRequestPresentingTheFirstDevicesCertificate()
    {
        SetupCommand.WriteH2loadBodies(State, _directory);

        var request = ConnectRequest.Parser.ParseFrom(Message(File.ReadAllBytes(Path.Combine(_directory, "connect-valid.grpc"))));

        Assert.Equal("bench-host", request.HostId);
        Assert.Equal("bench-dev-0", request.Device.HardwareId);
        Assert.Equal("PC-bench-dev-0", request.Device.ComputerName);
        Assert.Equal(new byte[] { 1, 2, 3, 250 }, request.PresentedCertificate.Data.ToByteArray());
    }

    [Fact]
    public void TheSignInBodyIsOneFramedSignInRequestOfTheFirstDevicesSession()
    {
        SetupCommand.WriteH2loadBodies(State, _directory);

        var request = SignInRequest.Parser.ParseFrom(Message(File.ReadAllBytes(Path.Combine(_directory, "signin.grpc"))));

        Assert.Equal("session-0", request.SessionId);
    }

    /// <summary>The protobuf bytes of a frame, after checking its uncompressed flag and its length prefix.</summary>
    private static byte[] Message(byte[] frame)
    {
        Assert.Equal(0, frame[0]);
        Assert.Equal((uint)(frame.Length - 5), BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(1, 4)));
        return frame[5..];
    }
}
