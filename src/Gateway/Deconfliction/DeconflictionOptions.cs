using System.ComponentModel.DataAnnotations;

namespace SharingHub.Gateway.Deconfliction;

/// <summary>How the Gateway matches stored records across agencies (<c>Deconfliction</c> section).</summary>
public sealed class DeconflictionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Deconfliction";

    /// <summary>
    /// A blocking key shared by more than this many records of other agencies is too common to tell anyone apart
    /// (a stop key): it yields no candidates, and the skip is counted (<c>sharinghub.match.keys_skipped</c>).
    /// </summary>
    [Range(10, 100_000)]
    public int MaxCandidatesPerKey { get; set; } = 1000;

    /// <summary>
    /// A coarse key (phonetic surname + birth year, whose blocks grow with the stored population) shared by more than
    /// this many records of other agencies is not looked up: its narrower siblings (the same key plus a given-name
    /// initial or nickname group) find the pairs in it that agree on the given name. This keeps the candidates per
    /// record, and so the time to match, from growing with the number of records stored.
    /// </summary>
    [Range(10, 100_000)]
    public int CoarseKeyMaxCandidates { get; set; } = 100;

    /// <summary>
    /// Candidates that a record shares only name and date keys with (<c>n:</c>, <c>m:</c>, <c>v:</c>, <c>d:</c>, <c>z:</c>)
    /// that it compares at most: the best ranked by how rare the shared keys are (<see cref="Matching.Blocking.CandidateRanking"/>).
    /// Candidates sharing an identifier, a phone, a street line or a place are always compared.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxWeakCandidatesPerRecord { get; set; } = 100;

    /// <summary>
    /// How long a stop key that the matcher met is skipped without being read again (<see cref="StopKey"/>). Blocks
    /// only shrink when records are deleted, which empties the notes; this bounds how long a note outlives a change of
    /// the caps or a block emptied by withdrawals.
    /// </summary>
    [Range(0, 24 * 365)]
    public double StopKeyHours { get; set; } = 24;

    /// <summary>
    /// Matching workers per replica: each claims a batch of stored records and matches it, competing with every other
    /// replica's (ADR-005). About one per core the Gateway may use for matching.
    /// </summary>
    [Range(1, 64)]
    public int MatchWorkers { get; set; } = 2;

    /// <summary>Records one worker claims and matches in one run (one transaction).</summary>
    [Range(1, 10_000)]
    public int MatchBatchSize { get; set; } = 256;

    /// <summary>
    /// How often (seconds) an idle worker looks for records to match. Records this replica stores wake its workers at
    /// once; the poll is how a replica takes work that another stored.
    /// </summary>
    [Range(0.05, 3600)]
    public double MatchPollSeconds { get; set; } = 1;

    /// <summary>
    /// Back-pressure: while more records than this wait to be matched, the store path waits before storing more (the
    /// broker keeps the rest of the queue).
    /// </summary>
    [Range(100, 10_000_000)]
    public int MaxPendingMatches { get; set; } = 50_000;

    /// <summary>How often (seconds) each replica measures the matching backlog and its lag.</summary>
    [Range(0.1, 3600)]
    public double BacklogIntervalSeconds { get; set; } = 1;

    /// <summary>A record whose matching failed this many sweeps is left alone (and counted) until it changes again.</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>
    /// How often (seconds) the name counts are folded and each replica reloads its snapshot of them, which weights name
    /// agreement by how common a name is (ADR-004). A record's names count from the first refresh after it is stored.
    /// </summary>
    [Range(0.1, 3600)]
    public double NameFrequencyRefreshSeconds { get; set; } = 5;

    /// <summary>Records one transaction re-keys after an upgrade changed the key scheme.</summary>
    [Range(1, 100_000)]
    public int RekeyBatchSize { get; set; } = 1000;
}
