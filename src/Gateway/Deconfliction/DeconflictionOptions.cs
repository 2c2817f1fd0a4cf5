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

    /// <summary>How often (seconds) a replica looks for records whose matching was interrupted.</summary>
    [Range(0.1, 3600)]
    public double SweepIntervalSeconds { get; set; } = 2;

    /// <summary>A pending marker younger than this (seconds) is left to the run that wrote it.</summary>
    [Range(0, 3600)]
    public double SweepGraceSeconds { get; set; } = 5;

    /// <summary>Records one sweep takes at most.</summary>
    [Range(1, 100_000)]
    public int SweepBatchSize { get; set; } = 2000;

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
