using GraphQL.Validation;
using GraphQLParser.AST;
using Microsoft.Extensions.Options;

namespace SharingHub.Gateway.GraphQL;

/// <summary>
/// Refuses documents with too many field selections or aliases (<see cref="GraphQLOptions.MaxFields"/>,
/// <see cref="GraphQLOptions.MaxAliases"/>) before anything runs: alias flooding multiplies a resolver's work
/// without deepening the query, so depth and complexity limits alone do not catch it.
/// </summary>
internal sealed class DocumentLimitsRule(IOptions<GraphQLOptions> options) : ValidationRuleBase
{
    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limits = options.Value;
        int fields = 0, aliases = 0;
        var fieldsReported = false;
        var aliasesReported = false;
        return new(new MatchingNodeVisitor<GraphQLField>((field, validation) =>
        {
            fields++;
            if (field.Alias is not null)
            {
                aliases++;
            }
            if (fields > limits.MaxFields && !fieldsReported)
            {
                fieldsReported = true;
                validation.ReportError(new ValidationError(validation.Document.Source, "field-limit",
                    $"The document selects more than {limits.MaxFields} fields; split it into smaller requests.", field)
                    { Code = HubErrorCodes.FieldLimit });
            }
            if (aliases > limits.MaxAliases && !aliasesReported)
            {
                aliasesReported = true;
                validation.ReportError(new ValidationError(validation.Document.Source, "alias-limit",
                    $"The document uses more than {limits.MaxAliases} aliases.", field)
                    { Code = HubErrorCodes.AliasLimit });
            }
        }));
    }
}
