using System.Globalization;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Records;

namespace SharingHub.Gateway.Errors;

/// <summary>
/// What an operator may see of a message on the error queue: its id, agency, why it is there and which records
/// it carries (kind and local id). Never a value: reasons are shown only when the hub wrote them (set-aside
/// records, <see cref="RecordRejectedException"/>, the broker's delivery limit, the size check); any other
/// exception is named by its type only, since its message may quote what it failed on.
/// </summary>
internal sealed record ErrorMessage(string Id, string? Agency, string Cause, IReadOnlyList<string> Reasons,
    IReadOnlyList<string> Records, int TotalRecords, long Bytes, DateTimeOffset? FailedAt)
{
    /// <summary>Bodies larger than this are not parsed for their record keys (the size check's refusals).</summary>
    private const int MaxParsedBytes = 64 * 1024 * 1024;

    private const int MaxReasonLength = 300;

    private static readonly string[] Kinds = ["persons", "phones", "locations", "withdrawals"];

    public static ErrorMessage From(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, long maxRecordsShown = long.MaxValue)
    {
        var headers = properties.Headers ?? new Dictionary<string, object?>();
        var id = properties.MessageId is { Length: > 0 } messageId
            ? messageId
            : "sha256-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body.Span))[..16];
        var agency = properties.UserId is { Length: > 0 } userId ? userId : Text(headers, RecordConsumer.AgencyHeader);
        var reasons = new List<string>();
        string cause;
        var deathReason = DeathReason(headers);
        var exceptionType = Text(headers, "MT-Fault-ExceptionType");
        if (deathReason is not null)
        {
            cause = deathReason == "delivery_limit" ? "delivery-limit" : $"dead-lettered ({deathReason})";
            if (deathReason == "delivery_limit")
            {
                reasons.Add("the message crashed or timed out the Gateway at every delivery, up to the records queue's delivery limit");
            }
        }
        else if (Text(headers, "MT-Reason") == "rejected")
        {
            cause = "invalid-records";
            reasons.AddRange(Lines(Text(headers, RecordConsumer.ReasonHeader)));
        }
        else if (exceptionType == typeof(RecordRejectedException).FullName)
        {
            cause = "rejected";
            reasons.AddRange(Lines(Text(headers, RecordConsumer.ReasonHeader)));
        }
        else if (exceptionType is not null)
        {
            cause = "fault";
            reasons.Add($"the Gateway failed with {exceptionType} (its message is withheld: it may quote the input)");
        }
        else
        {
            cause = "unknown";
        }

        var (records, total) = body.Length <= MaxParsedBytes ? RecordKeys(body, maxRecordsShown) : ([], 0);
        var failedAt = DateTimeOffset.TryParse(Text(headers, "MT-Fault-Timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? (DateTimeOffset?)at
            : properties.Timestamp.UnixTime > 0 ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : null;
        return new ErrorMessage(id, agency, cause, reasons, records, total, body.Length, failedAt);
    }

    /// <summary>Writes the message as <c>./hub errors</c> shows it.</summary>
    public void WriteTo(TextWriter output, bool allRecords)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Id}  agency {Agency ?? "(none)"}  {Cause}  {TotalRecords} record(s), {Bytes} bytes{(FailedAt is { } t ? $"  at {t:yyyy-MM-dd HH:mm:ss}Z" : "")}"));
        foreach (var reason in Reasons)
        {
            output.WriteLine($"    reason: {reason}");
        }
        var shown = allRecords ? Records : Records.Take(5).ToList();
        if (shown.Count > 0)
        {
            output.WriteLine($"    records: {string.Join(", ", shown)}{(TotalRecords > shown.Count ? $" and {TotalRecords - shown.Count} more" : "")}");
        }
    }

    private static string? DeathReason(IDictionary<string, object?> headers)
    {
        if (Text(headers, "x-first-death-reason") is { } first)
        {
            return first;
        }
        return headers.TryGetValue("x-death", out var death) && death is IList<object> { Count: > 0 } list
            && list[0] is IDictionary<string, object?> entry ? Text(entry, "reason") : null;
    }

    /// <summary>The kind and local id of each record in the body: an envelope around a batch or a single record.</summary>
    private static (IReadOnlyList<string>, int) RecordKeys(ReadOnlyMemory<byte> body, long max)
    {
        var keys = new List<string>();
        var total = 0;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
            {
                return ([], 0);
            }
            foreach (var kind in Kinds)
            {
                if (message.TryGetProperty(kind, out var array) && array.ValueKind == JsonValueKind.Array)
                {
                    foreach (var record in array.EnumerateArray())
                    {
                        total++;
                        if (keys.Count < max)
                        {
                            keys.Add(Key(kind == "withdrawals" ? Kind(record) : kind.TrimEnd('s'), record));
                        }
                    }
                }
            }
            if (total == 0 && message.TryGetProperty("localId", out _))
            {
                total = 1;
                keys.Add(Key(Kind(message), message));
            }
        }
        catch (JsonException)
        {
            return (["(the body is not JSON)"], 0);
        }
        return (keys, total);
    }

    private static string Kind(JsonElement record) => record.TryGetProperty("recordKind", out var kind) ? kind.ValueKind switch
    {
        JsonValueKind.String => Clean(kind.GetString()!.ToLowerInvariant(), 16),
        JsonValueKind.Number when kind.TryGetInt32(out var n) && Enum.IsDefined((RecordKind)n) => ((RecordKind)n).ToString().ToLowerInvariant(),
        _ => "record",
    } : "record";

    private static string Key(string kind, JsonElement record) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty("localId", out var id) && id.ValueKind == JsonValueKind.String
            ? $"{kind} {Clean(id.GetString()!, SharingHub.Rules.RecordLimits.MaxLocalIdLength)}"
            : $"{kind} (no local id)";

    private static IEnumerable<string> Lines(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => Clean(l, MaxReasonLength));

    /// <summary>One printable line, so an id or reason cannot forge terminal output.</summary>
    private static string Clean(string text, int max)
    {
        var builder = new StringBuilder(Math.Min(text.Length, max));
        foreach (var c in text)
        {
            if (builder.Length >= max)
            {
                builder.Append('…');
                break;
            }
            builder.Append(char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format ? '?' : c);
        }
        return builder.ToString();
    }

    private static string? Text(IDictionary<string, object?> headers, string name) =>
        headers.TryGetValue(name, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => null,
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        } : null;
}
