namespace SharingHub.Connectors.Sanitizing;

/// <summary>Why a record (or a whole source row) was not published: the field at fault and the reason.</summary>
/// <remarks>Reasons never quote the rejected value: reports travel further than the data should.</remarks>
internal sealed record Problem(string Field, string Reason)
{
    /// <summary>The field name used when a whole row could not be read.</summary>
    public const string RowField = "(row)";
}
