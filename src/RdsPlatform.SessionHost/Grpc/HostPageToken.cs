using System.Buffers.Text;
using System.Text;

namespace RdsPlatform.SessionHost.Grpc;

/// <summary>
/// The opaque page token of ListSessionHosts: base64url of a versioned "last host id returned", so paging resumes by key
/// (hosts registered meanwhile are neither skipped nor repeated) and a made-up token is refused.
/// </summary>
internal static class HostPageToken
{
    private const string Prefix = "h1|";

    public static string For(string lastHostId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Prefix + lastHostId));

    public static bool TryRead(string token, out string? lastHostId)
    {
        lastHostId = null;
        if (token.Length > 200)
        {
            return false;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            if (!text.StartsWith(Prefix, StringComparison.Ordinal) || RequestValidation.HostId(text[Prefix.Length..]).Count > 0)
            {
                return false;
            }

            lastHostId = text[Prefix.Length..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
