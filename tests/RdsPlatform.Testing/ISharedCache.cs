namespace RdsPlatform.Testing;

/// <summary>A real Redis-protocol cache the services under test share: one server (Garnet) or a Redis Cluster.</summary>
public interface ISharedCache
{
    /// <summary>A StackExchange.Redis connection string for <c>ConnectionStrings:cache</c>.</summary>
    string ConnectionString { get; }

    /// <summary>Removes every key.</summary>
    Task FlushAsync();
}
