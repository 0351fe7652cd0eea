namespace RdsPlatform.Licensing;

/// <summary>
/// One refused input field and a sentence saying what is wrong (maps to gRPC BadRequest.FieldViolation). The field is
/// the contract's field path (snake_case, nested messages joined by '.', e.g. <c>contact.email</c>), so adapters pass
/// it on unchanged.
/// </summary>
public sealed record FieldViolation(string Field, string Description);
