namespace SharingHub.Rules;

/// <summary>
/// One broken record rule: the field at fault (its name in the canonical file format, e.g. <c>labels.caseRef</c>),
/// a stable reason code (<see cref="RuleCodes"/>) and a message for people. The connector's reject report and the
/// Gateway's error-queue reason carry the same three, so an operator sees the same fault on either side.
/// </summary>
/// <remarks>A message never quotes the value: reports and queue headers travel further than the data should.</remarks>
/// <param name="Field">The field's name in the canonical file format.</param>
/// <param name="Code">The reason code, one of <see cref="RuleCodes"/>.</param>
/// <param name="Message">What is wrong, for people, without the value.</param>
public sealed record RuleViolation(string Field, string Code, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Field}: {Code}: {Message}";
}
