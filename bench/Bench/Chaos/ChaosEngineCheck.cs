using SharingHub.Matching;
using SharingHub.Matching.Scoring;

namespace SharingHub.Bench.Chaos;

/// <summary>What the hub's engine makes of a chaos population, in-process.</summary>
/// <param name="BelowMatch">Planned pairs that do not score band Match (a flaw of the population: must be empty).</param>
/// <param name="Candidates">Other cross-agency pairs that share a blocking key (the pairs the hub scores).</param>
/// <param name="Possible">Of those, the ones at band Possible.</param>
/// <param name="Match">Of those, the ones at band Match.</param>
internal sealed record ChaosEngineResult(IReadOnlyList<ExpectedMatch> BelowMatch, int Candidates, int Possible, int Match);

/// <summary>
/// Checks a chaos population with the hub's own engine before anything is published: every planned pair must score
/// band Match, and every other pair of different agencies' persons that shares a blocking key is scored too. Those
/// above band None are matches the hub may find besides the planned ones; the population is built to have none.
/// The engine runs without the hub's name counts (term-frequency weights), which the Gateway adds: the hub's bands
/// may differ a little, so the run reads back what the hub found and reports any unplanned match.
/// </summary>
internal static class ChaosEngineCheck
{
    public static ChaosEngineResult Run(ChaosPopulation population)
    {
        ArgumentNullException.ThrowIfNull(population);
        var engine = MatchingEngine.CreateDefault();
        var people = population.Records.Values.SelectMany(r => r).ToList();
        var evidence = people.ToDictionary(r => (r.Agency, r.LocalId), r => engine.BuildPersonEvidence(Input(r)));
        var belowMatch = population.Expected
            .Where(p => engine.ScorePersons(evidence[(p.AgencyA, p.LocalIdA)], evidence[(p.AgencyB, p.LocalIdB)]).Band != MatchBand.Match)
            .ToList();

        var blocks = new Dictionary<string, List<ChaosPerson>>(StringComparer.Ordinal);
        foreach (var person in people)
        {
            foreach (var key in engine.PersonKeys(evidence[(person.Agency, person.LocalId)]))
            {
                if (!blocks.TryGetValue(key, out var block))
                {
                    blocks[key] = block = [];
                }
                block.Add(person);
            }
        }
        var planned = population.Expected.ToHashSet();
        var scored = new HashSet<ExpectedMatch>();
        int possible = 0, match = 0;
        foreach (var block in blocks.Values)
        {
            for (var i = 0; i < block.Count; i++)
            {
                for (var j = i + 1; j < block.Count; j++)
                {
                    var (a, b) = (block[i], block[j]);
                    var pair = ExpectedMatch.Of(a.Agency, a.LocalId, b.Agency, b.LocalId);
                    if (a.Agency == b.Agency || planned.Contains(pair) || !scored.Add(pair))
                    {
                        continue;
                    }
                    switch (engine.ScorePersons(evidence[(a.Agency, a.LocalId)], evidence[(b.Agency, b.LocalId)]).Band)
                    {
                        case MatchBand.Possible: possible++; break;
                        case MatchBand.Match: match++; break;
                    }
                }
            }
        }
        return new ChaosEngineResult(belowMatch, scored.Count, possible, match);
    }

    /// <summary>The person as the engine reads it (as the Gateway does from the canonical line).</summary>
    public static PersonInput Input(ChaosPerson person)
    {
        ArgumentNullException.ThrowIfNull(person);
        return new(person.Given, person.Surname, null, null, person.Sex, [new IdentifierInput("ssn", person.Ssn)]);
    }
}
