using SharingHub.Matching;
using SharingHub.Matching.Scoring;

namespace SharingHub.MatchingLab;

internal static class Lab
{
    /// <summary>The engine under test: embedded parameters, or <c>--params FILE</c>.</summary>
    public static MatchingEngine Engine(Args args)
    {
        var path = args.Optional("params");
        return new MatchingEngine(new MatchingOptions(), path is null ? null : MatchParameters.Load(path));
    }

    /// <summary>A one-line rendering of evidence for the error listings (synthetic data only).</summary>
    public static string Describe(PersonEvidence evidence)
    {
        var names = string.Join(" / ", evidence.Names.Select(name => $"{name.Given} | {name.Surname}"));
        var ids = string.Join(' ', evidence.Identifiers);
        var addresses = string.Join(" / ", evidence.Addresses.Select(address => address.Key));
        return $"{names} | {evidence.BirthDate} | {ids} | {addresses}";
    }
}
