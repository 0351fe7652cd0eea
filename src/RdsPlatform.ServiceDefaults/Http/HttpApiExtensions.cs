using System.Runtime.CompilerServices;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi.Models;
using Scalar.AspNetCore;

namespace RdsPlatform.ServiceDefaults.Http;

/// <summary>
/// The JSON API beside gRPC: the RPCs annotated with <c>google.api.http</c> in <c>protos/</c> are also served as HTTP/JSON
/// (gRPC JSON transcoding) through the same handlers, so API keys, roles, input rules and error sentences are the ones
/// gRPC callers get. An OpenAPI document is generated from the protos and their comments.
/// </summary>
public static class HttpApiExtensions
{
    /// <summary>Where each service serves its OpenAPI document.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>Where the rendered reference page is, in Development.</summary>
    public const string ReferencePath = "/scalar/v1";

    /// <summary>What a Native AOT build answers on the JSON API's routes and its OpenAPI document: a google.rpc.Status (UNIMPLEMENTED).</summary>
    public const string HttpApiNotInAotBuild =
        """{"code":12,"message":"This service was published with Native AOT, which serves gRPC only: its HTTP/JSON API and OpenAPI document need code generated at run time. Call the same RPC over gRPC (grpcurl, rdslic), or use the framework-dependent build of the service (run with dotnet, as the AppHost does) for HTTP/JSON.","details":[]}""";

    /// <summary>
    /// False in a Native AOT build (the gateway can be published so): JSON transcoding and Swashbuckle make generic types
    /// over the contracts' value types at run time (a JSON property of an optional int or enum), which such a build has no
    /// code for, so their routes answer <see cref="HttpApiNotInAotBuild"/> instead.
    /// </summary>
    private static bool ServesJson => RuntimeFeature.IsDynamicCodeSupported;

    public static IHostApplicationBuilder AddRdsHttpApi(this IHostApplicationBuilder builder, IGrpcServerBuilder grpc)
    {
        if (!ServesJson)
        {
            return builder;
        }

        // Field violations travel as google.rpc.BadRequest details; the JSON writer must know the type to write them.
        grpc.AddJsonTranscoding(options => options.TypeRegistry = TypeRegistry.FromMessages(BadRequest.Descriptor));
        builder.Services.AddGrpcSwagger();
        builder.Services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = $"RdsPlatform {builder.Environment.ApplicationName}",
                Version = "v1",
                Description = "The HTTP/JSON form of this service's administrative and reporting RPCs (docs/http-api.md). " +
                    "Every call needs 'Authorization: Bearer <key>'; errors are google.rpc.Status objects.",
            });
            var contracts = Path.Combine(AppContext.BaseDirectory, "RdsPlatform.Contracts.xml");
            if (File.Exists(contracts))
            {
                swagger.IncludeGrpcXmlComments(contracts, includeControllerXmlComments: true);
            }

            var bearer = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key of a role that may call the method (docs/security.md).",
                Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = "bearer" },
            };
            swagger.AddSecurityDefinition("bearer", bearer);
            swagger.AddSecurityRequirement(new OpenApiSecurityRequirement { [bearer] = [] });
        });
        return builder;
    }

    /// <summary>The OpenAPI document (every environment) and, in Development, the Scalar reference page that renders it.</summary>
    public static WebApplication MapHttpApiReference(this WebApplication app)
    {
        if (!ServesJson)
        {
            // Every JSON API route is under /v1/; without a key, as the answer reveals nothing but how the service was built.
            foreach (var pattern in new[] { "/v1/{**route}", "/openapi/{documentName}.json" })
            {
                app.Map(pattern, () => Results.Text(HttpApiNotInAotBuild, "application/json", statusCode: StatusCodes.Status501NotImplemented))
                    .AllowAnonymous();
            }

            return app;
        }

        // Open without a key, as the deny-by-default fallback policy would otherwise refuse them: they describe the API.
        app.MapSwagger("/openapi/{documentName}.json").AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference(options => options.OpenApiRoutePattern = "/openapi/{documentName}.json").AllowAnonymous();
        }

        return app;
    }
}
