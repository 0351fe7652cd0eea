namespace RdsPlatform.Licensing;

/// <summary>One refused input field and a sentence saying what is wrong (maps to gRPC BadRequest.FieldViolation).</summary>
public sealed record FieldViolation(string Field, string Description);
