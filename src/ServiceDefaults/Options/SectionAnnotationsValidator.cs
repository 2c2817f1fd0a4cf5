using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SharingHub.ServiceDefaults.Options;

/// <summary>
/// Data-annotation validation whose failures name the configuration key (e.g. <c>Readiness:TimeoutSeconds</c>),
/// so an operator can find the bad setting from the start-up error alone.
/// </summary>
internal sealed class SectionAnnotationsValidator<TOptions>(string sectionName) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return ValidateOptionsResult.Success;
        }

        var failures = results.Select(r =>
        {
            var member = r.MemberNames.FirstOrDefault();
            var key = member is null ? sectionName : $"{sectionName}:{member}";
            return $"{key}: {r.ErrorMessage}";
        });
        return ValidateOptionsResult.Fail(failures);
    }
}
