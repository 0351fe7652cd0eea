using System.Security.Claims;
using Bunit;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Radzen;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Manager.Components.Shared;
using RdsPlatform.Manager.Rds;
using GatewayClient = RdsPlatform.Contracts.SessionHost.V1.SessionHostGateway.SessionHostGatewayClient;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;
using ReportingClient = RdsPlatform.Contracts.Reporting.V1.Reporting.ReportingClient;

namespace RdsPlatform.Manager.Tests;

/// <summary>A bUnit context with Radzen, a signed-in person of the given role, and services answering through <see cref="ScriptedInvoker"/>.</summary>
public abstract class ComponentTestContext : BunitContext
{
    protected ComponentTestContext(string role = ManagerClaims.AdminRole)
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
        var authorization = AddAuthorization();
        authorization.SetAuthorized(role);
        authorization.SetRoles(role);
        authorization.SetClaims(new Claim(ManagerClaims.ApiKey, "component-test-key"));
        Services.AddSingleton(Options.Create(new ManagerOptions()));
        Services.AddSingleton(new LicenseServerClient(Invoker));
        Services.AddSingleton(new GatewayClient(Invoker));
        Services.AddSingleton(new ReportingClient(Invoker));
        Services.AddSingleton(new Clock.ClockClient(Invoker));
        Services.AddScoped<RdsConsole>();
    }

    protected ScriptedInvoker Invoker { get; } = new();
}

/// <summary>The install form shows the service's field violations next to their fields, and forwards the signed-in key.</summary>
public sealed class KeyPackFormTests : ComponentTestContext
{
    [Fact]
    public void AFieldViolationFromTheServiceIsShownUnderItsFieldAndTiedToIt()
    {
        Invoker.Answer = (_, _) => throw new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = "The key pack cannot be installed.",
            Details =
            {
                Any.Pack(new BadRequest
                {
                    FieldViolations = { new BadRequest.Types.FieldViolation { Field = "retail_code", Description = "The license code must be 25 letters or digits." } },
                }),
            },
        }.ToRpcException();
        var form = Render<KeyPackForm>();

        form.Find("form").Submit();

        var error = form.WaitForElement("#error-retail_code");
        Assert.Equal("The license code must be 25 letters or digits.", error.TextContent.Trim());
        Assert.Equal("error-retail_code", form.Find("#retail_code").GetAttribute("aria-describedby"));
        Assert.Contains("The key pack cannot be installed.", form.Find("[role=alert]").TextContent);
        Assert.Empty(form.FindAll("#error-count"));
    }

    [Fact]
    public void AnInstalledPackIsReportedAndTheCallCarriesTheSignedInKeyAndADeadline()
    {
        KeyPack? installed = null;
        Invoker.Answer = (request, _) => new InstallKeyPackResponse
        {
            KeyPack = new KeyPack { KeyPackId = Guid.NewGuid().ToString(), Total = ((InstallKeyPackRequest)request).Count, CalType = CalType.PerDevice },
        };
        var form = Render<KeyPackForm>(p => p.Add(f => f.Installed, pack => installed = pack));

        form.Find("#retail_code").Change("AAAAA-BBBBB-CCCCC-DDDDD-EEEEE");
        form.Find("form").Submit();

        form.WaitForAssertion(() => Assert.NotNull(installed));
        Assert.Equal(10, installed!.Total);
        var (sent, options) = Assert.Single(Invoker.Calls);
        var request = Assert.IsType<InstallKeyPackRequest>(sent);
        Assert.Equal(KeyPackProgram.Retail, request.Program);
        Assert.Equal("AAAAA-BBBBB-CCCCC-DDDDD-EEEEE", request.RetailCode);
        Assert.Equal(AgreementType.Unspecified, request.AgreementType);
        Assert.Equal("Bearer component-test-key", options.Headers!.GetValue("authorization"));
        Assert.NotNull(options.Deadline);
        Assert.Empty(form.FindAll(".field-error"));
    }
}

/// <summary>Admin-only content is not rendered for a reporter key: a reporter never sees a button that would fail.</summary>
public sealed class AdminOnlyForReporterTests() : ComponentTestContext(ManagerClaims.ReporterRole)
{
    [Fact]
    public void AReporterSeesNothingOfAdminOnlyContent()
    {
        var view = Render<AdminOnly>(p => p.AddChildContent("<button>Install</button>"));

        Assert.Empty(view.FindAll("button"));
    }
}

public sealed class AdminOnlyForAdminTests : ComponentTestContext
{
    [Fact]
    public void AnAdminSeesAdminOnlyContent()
    {
        var view = Render<AdminOnly>(p => p.AddChildContent("<button>Install</button>"));

        Assert.Equal("Install", view.Find("button").TextContent);
    }
}

/// <summary>Answers every unary call with <see cref="Answer"/> and records what was sent.</summary>
public sealed class ScriptedInvoker : CallInvoker
{
    public Func<IMessage, CallOptions, IMessage> Answer { get; set; } = (_, _) => throw new RpcException(new Grpc.Core.Status(StatusCode.Unimplemented, "Not scripted."));

    public List<(IMessage Request, CallOptions Options)> Calls { get; } = [];

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        Calls.Add(((IMessage)request, options));
        Task<TResponse> response;
        try
        {
            response = Task.FromResult((TResponse)Answer((IMessage)request, options));
        }
        catch (RpcException ex)
        {
            response = Task.FromException<TResponse>(ex);
        }

        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Grpc.Core.Status.DefaultSuccess, () => [], () => { });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException("The manager makes asynchronous calls only.");

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException("No component under test streams.");

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException("The contracts have no client streaming call.");

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException("The contracts have no duplex call.");
}
