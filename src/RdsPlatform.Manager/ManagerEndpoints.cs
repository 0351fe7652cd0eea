using Grpc.Core;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Manager.Rds;
using ReportingClient = RdsPlatform.Contracts.Reporting.V1.Reporting.ReportingClient;

namespace RdsPlatform.Manager;

/// <summary>The manager's HTTP endpoints besides its pages: sign-out and the CSV download.</summary>
public static class ManagerEndpoints
{
    public static IEndpointRouteBuilder MapManagerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // A form post with an antiforgery token, so another site cannot sign a person out.
        endpoints.MapPost("/signout", async (HttpContext context) =>
            {
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return Results.LocalRedirect("~/signin");
            })
            .WithMetadata(new RequireAntiforgeryTokenAttribute());

        endpoints.MapGet("/reports/{reportId}/csv", ExportCsvAsync).RequireAuthorization();
        return endpoints;
    }

    /// <summary>
    /// Streams ExportReport's chunks to the browser as they arrive: the CSV is never held whole in the manager's memory.
    /// </summary>
    private static async Task ExportCsvAsync(string reportId, HttpContext context, ReportingClient reporting, IOptions<ManagerOptions> options)
    {
        var call = RdsConsole.For(context.User, options.Value.LongCallDeadline, context.RequestAborted);
        using var export = reporting.ExportReport(new ExportReportRequest { ReportId = reportId }, call);
        try
        {
            // The first chunk decides between a file and an error page: headers cannot change once the body has started.
            var more = await export.ResponseStream.MoveNext(context.RequestAborted);
            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"report-{SafeName(reportId)}.csv\"";
            while (more)
            {
                await context.Response.Body.WriteAsync(export.ResponseStream.Current.Data.Memory, context.RequestAborted);
                more = await export.ResponseStream.MoveNext(context.RequestAborted);
            }
        }
        catch (RpcException ex) when (!context.Response.HasStarted)
        {
            context.Response.StatusCode = ex.StatusCode switch
            {
                StatusCode.NotFound => StatusCodes.Status404NotFound,
                StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
                StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
                StatusCode.InvalidArgument => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status502BadGateway,
            };
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(Problem.From(ex).Message, context.RequestAborted);
        }
    }

    private static string SafeName(string reportId) => new([.. reportId.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')]);
}
