using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace RdsPlatform.Testing;

/// <summary>An HTTP client of a service's JSON API port, as a script would call it (curl, Invoke-RestMethod).</summary>
public sealed class JsonApi(Uri baseAddress, string? key) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public Task<JsonReply> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<JsonReply> PostAsync(string path, string json) => SendAsync(HttpMethod.Post, path, json);

    public Task<JsonReply> PutAsync(string path, string json) => SendAsync(HttpMethod.Put, path, json);

    public Task<JsonReply> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);

    public async Task<JsonReply> SendAsync(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new JsonReply((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>An HTTP answer: status, media type and body (parsed on demand).</summary>
public sealed record JsonReply(int Status, string? MediaType, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public override string ToString() => $"HTTP {Status} {MediaType}: {Body}";
}
