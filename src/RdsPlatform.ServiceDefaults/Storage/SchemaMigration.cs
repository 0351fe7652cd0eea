namespace RdsPlatform.ServiceDefaults.Storage;

/// <summary>
/// One step of a service's schema. Each engine has its own list for a service, numbered alike: version N is the same
/// schema on SQLite and on PostgreSQL, so a database's version says what it holds whichever engine it is.
/// </summary>
/// <param name="Version">1, 2, 3 ... applied in order, each once.</param>
/// <param name="Description">What the step adds, recorded beside the version.</param>
/// <param name="Sql">The engine's statements; they run in one transaction with the version record.</param>
public sealed record SchemaMigration(int Version, string Description, string Sql);
