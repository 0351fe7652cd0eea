using Google.Rpc;
using Grpc.Core;
using RdsPlatform.Licensing;
using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>The one translation from an expected refusal to a gRPC status: every kind has its code, field problems travel as BadRequest.</summary>
public sealed class ProblemStatusTests
{
    public static TheoryData<ProblemKind> Kinds => new(Enum.GetValues<ProblemKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryProblemKindBecomesTheStatusCodeOfTheSameName(ProblemKind kind)
    {
        var exception = new Problem(kind, "Do this instead.").ToRpcException();

        Assert.Equal(kind.ToString(), exception.StatusCode.ToString());
        Assert.Equal("Do this instead.", exception.Status.Detail);
    }

    [Fact]
    public void FieldViolationsTravelAsBadRequestDetailsAndInTheMessage()
    {
        var exception = Problem.Invalid("The key pack cannot be installed.", [new FieldViolation("count", "Give at least 1.")]).ToRpcException();

        var badRequest = exception.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Equal("The key pack cannot be installed. count: Give at least 1.", exception.Status.Detail);
        Assert.Equal(("count", "Give at least 1."), Assert.Single(badRequest!.FieldViolations) is var v ? (v.Field, v.Description) : default);
    }

    [Fact]
    public void AnOutcomeWithAProblemThrowsItAndOneWithAValueReturnsIt()
    {
        Outcome<int> refused = Problem.NotFound("No such pack.");
        Outcome<int> answered = 7;

        Assert.Equal(7, answered.ValueOrThrow());
        Assert.Equal(StatusCode.NotFound, Assert.Throws<RpcException>(() => refused.ValueOrThrow()).StatusCode);
    }
}
