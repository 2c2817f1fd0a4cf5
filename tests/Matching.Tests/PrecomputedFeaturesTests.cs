using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SharingHub.Matching.Features;
using SharingHub.Matching.Normalization;
using SharingHub.Matching.Scoring;

namespace SharingHub.Matching.Tests;

/// <summary>
/// The precomputed path (issue 14): features written when a record is stored, read back and compared without
/// allocating, give the same scores and bands as the old path (normalize each record, compare, score with the
/// explanation), on every candidate pair that shares a blocking key in FEBRL-format sets.
/// </summary>
public sealed class PrecomputedFeaturesTests
{
    private readonly MatchingEngine _engine = MatchingEngine.CreateDefault();

    // The old path's scores and bands over every blocked pair of each set, as recorded before the precomputed path
    // existed (SHA-256 of "a,b,score,band,vector,explanation" lines; the count of pairs first). A change to the comparer that moves any
    // pair's score or band fails here even if both paths moved together.
    public static TheoryData<string, bool, string> Sets => new()
    {
        { "fixture:hispanic-synthetic.csv", false, "7243:770e23410a32f78620cca051e84b19f92102230eb519bc9ea86c1f47f70c353e" },
        { "fixture:hispanic-heldout.csv", false, "6630:b1be1e3a5a7d6c502262a28516851a5aa3ae175abfd3565aeb40238cd983b144" },
        { "febrl:febrl1.csv", true, "650:e3cf55f3f35f94713612ac1150ecfe7fbfe5ec5c2a58c2bbfdcefc395bc6cf74" },
        { "febrl:febrl2.csv", true, "6035:71f2a5a84962ec237224e1ee22a0d9ee35a59780c6359d1bab3319ac9e02a667" },
        { "febrl:febrl3.csv", true, "10045:4821b44d10d44bb8681d18906d7a987272269c8604b0c897657630a61613ef7c" },
    };

    [Theory]
    [MemberData(nameof(Sets))]
    public void OldPath_BlockedPairs_ScoresAsRecorded(string set, bool withFrequencies, string expected)
    {
        var records = Read(set);
        var evidence = records.Select(r => _engine.BuildPersonEvidence(r.Person, places: r.Place is null ? null : [r.Place])).ToArray();
        var frequencies = withFrequencies ? Frequencies(evidence) : null;
        var lines = new StringBuilder();
        var count = 0;
        foreach (var (i, j) in BlockedPairs(evidence))
        {
            var result = _engine.ScorePersons(evidence[i], evidence[j], frequencies);
            lines.Append(CultureInfo.InvariantCulture, $"{records[i].Id},{records[j].Id},{result.Score:R},{result.Band},{result.Vector},{result.Explanation}\n");
            count++;
        }

        var digest = $"{count}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lines.ToString())))}";
        Assert.Equal(expected, digest);
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void QuickScore_PrecomputedFeaturesOfBlockedPairs_SameScoreAndBandAsOldPath(string set, bool withFrequencies, string recorded)
    {
        _ = recorded;
        var records = Read(set);
        var raw = records.Select(r => _engine.BuildPersonEvidence(r.Person, places: r.Place is null ? null : [r.Place])).ToArray();
        var stored = records.Select(Precomputed).ToArray();
        var frequencies = withFrequencies ? Frequencies(raw) : null;
        var pairs = BlockedPairs(raw).ToArray();
        var bands = 0;
        foreach (var (i, j) in pairs)
        {
            var old = _engine.ScorePersons(raw[i], raw[j], frequencies);
            var quick = _engine.QuickScore(stored[i], stored[j], frequencies);
            Assert.True(old.Score.Equals(quick.Score) && old.Band == quick.Band,
                $"{records[i].Id} / {records[j].Id}: old {old.Score:R} {old.Band}, precomputed {quick.Score:R} {quick.Band}");
            // The explanation an officer reads comes from the stored features too: the same, word for word.
            var full = _engine.ScorePersons(stored[i], stored[j], frequencies);
            Assert.Equal($"{old.Vector} {old.Explanation}", $"{full.Vector} {full.Explanation}");
            bands += old.Band == MatchBand.None ? 0 : 1;
        }

        Assert.True(pairs.Length > 500 && bands > 100, $"{pairs.Length} pairs, {bands} in a band: too few to prove anything");
    }

    [Fact]
    public void StampPrefix_EveryKindOfFeatures_StartsWithIt()
    {
        var prefix = RecordFeatures.StampPrefix(_engine.FeatureStamp);

        Assert.All(new[]
        {
            _engine.PersonFeatures(_engine.BuildPersonEvidence(new PersonInput("Rosa", "Vega", BirthDate: "1990-05-01"))),
            _engine.PhoneFeatures("+17135550142"),
            _engine.PhoneFeatures("not a number"),
            _engine.AddressFeatures("Calle Independencia 221, Nuevo Laredo"),
        }, features => Assert.Equal(prefix, features[..prefix.Length]));
        Assert.NotEqual(prefix, RecordFeatures.StampPrefix(_engine.FeatureStamp + 1));
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void QuickScore_PrecomputedPairs_AllocatesNothing(string set, bool withFrequencies, string recorded)
    {
        _ = recorded;
        var records = Read(set);
        var stored = records.Select(Precomputed).ToArray();
        var frequencies = withFrequencies ? Frequencies(stored) : null;
        var pairs = BlockedPairs(stored).ToArray();
        var total = 0.0;
        var allocated = new List<long>();
        // The first pass warms up (the thread's scratch lists, the JIT); a pass of the runtime's own (tiered compilation)
        // may still allocate now and then, but an allocation per pair shows in every pass.
        for (var pass = 0; pass < 4 && (allocated.Count < 2 || allocated[^1] > 0); pass++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            foreach (var (i, j) in pairs)
            {
                total += _engine.QuickScore(stored[i], stored[j], frequencies).Score;
            }

            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(allocated[^1] == 0, $"bytes allocated per pass over {pairs.Length} pairs: {string.Join(", ", allocated)} (score sum {total})");
    }

    [Fact]
    public void ReadPersonFeatures_OtherStamp_StaleSoRecomputed()
    {
        var own = _engine.BuildPersonEvidence(new PersonInput("María José", "García López", ["Majo"], "1988-03", "F"));
        var current = _engine.PersonFeatures(own);
        var other = RecordFeatures.Encode(_engine.FeatureStamp + 1, own);

        Assert.NotNull(_engine.ReadPersonFeatures(current));
        Assert.Null(_engine.ReadPersonFeatures(other));
        Assert.Null(_engine.ReadPersonFeatures(current.AsSpan(0, current.Length - 1)));
        Assert.Null(_engine.ReadAddressFeatures(current));
        Assert.False(_engine.TryReadPhoneFeatures(current, out _));
    }

    [Fact]
    public void PersonFeatures_WithPhonesAndPlaces_ReadBackAsTheSameEvidence()
    {
        var evidence = _engine.BuildPersonEvidence(new PersonInput("María José", "García López", ["Majo"], "1988-03", "F", [new IdentifierInput("ssn", "123-45-6789")]),
            [new PhoneInput("+52 1 899 123 4567", new DateOnly(2024, 2, 1), new DateOnly(2025, 6, 30), "P-1"), new PhoneInput("(713) 555-0142", SubjectRef: "P-1")],
            [new PlaceInput("Calle Independencia 221, Colonia Centro, 88000 Nuevo Laredo"), new PlaceInput("1200 Main Street Apt 4, Houston, TX 77002")]);

        var read = _engine.ReadPersonFeatures(_engine.PersonFeatures(evidence));

        Assert.NotNull(read);
        Assert.Equal(evidence.Phones, read.Phones);
        Assert.Equal(evidence.Addresses.Select(a => a.Key), read.Addresses.Select(a => a.Key));
        Assert.Equal(evidence.Addresses.Select(a => a.Postcode), read.Addresses.Select(a => a.Postcode));
        Assert.Equal(MatchFingerprintText(evidence), MatchFingerprintText(read));
        // The same evidence scores the same against another person that shares its phone and street.
        var other = _engine.BuildPersonEvidence(new PersonInput("Majo", "Garcia", BirthDate: "1988"), [new PhoneInput("+528991234567")],
            [new PlaceInput("Calle Independencia 221, Nuevo Laredo")]);
        var (before, after) = (_engine.ScorePersons(evidence, other), _engine.ScorePersons(read, other));
        Assert.Equal($"{before.Score:R} {before.Band} {before.Explanation}", $"{after.Score:R} {after.Band} {after.Explanation}");
    }

    [Fact]
    public void ReadPersonFeatures_TwoPersonsOfTheSameNames_ShareTheNamePartsRead()
    {
        var first = _engine.ReadPersonFeatures(_engine.PersonFeatures(_engine.BuildPersonEvidence(new PersonInput("Guadalupe", "Zamarripa Ochoa", BirthDate: "1971-02-03"))));
        var second = _engine.ReadPersonFeatures(_engine.PersonFeatures(_engine.BuildPersonEvidence(new PersonInput("Guadalupe", "Zamarripa Ochoa", BirthDate: "1990-12-30", Sex: "F"))));
        var other = _engine.ReadPersonFeatures(_engine.PersonFeatures(_engine.BuildPersonEvidence(new PersonInput("Guadalupe", "Zamarripa Ortiz", BirthDate: "1971-02-03"))));

        Assert.Same(first!.Names[0].Given, second!.Names[0].Given);
        Assert.Same(first.Names[0].Surname, second.Names[0].Surname);
        Assert.Same(first.Names[0].Given, other!.Names[0].Given);
        Assert.NotSame(first.Names[0].Surname, other.Names[0].Surname);
        Assert.Equal("zamarripaortiz", other.Names[0].Surname.Joined);
        Assert.Equal(["zamarripa", "ortiz"], other.Names[0].Surname.Tokens.Select(t => t.Text));
    }

    [Fact]
    public void ReadPersonFeatures_CutInsideANamePart_Unreadable()
    {
        var features = _engine.PersonFeatures(_engine.BuildPersonEvidence(new PersonInput("Evaristo", "Quintanilla", BirthDate: "1966-09-30")));

        // Every cut short of the whole value fails to read, whether it falls inside a name part or after the names.
        for (var length = 5; length < features.Length; length++)
        {
            Assert.Null(_engine.ReadPersonFeatures(features.AsSpan(0, length)));
        }

        Assert.NotNull(_engine.ReadPersonFeatures(features));
    }

    private static string MatchFingerprintText(PersonEvidence e) =>
        string.Join('|', e.Names.Select(n => $"{n.Given.Joined}/{n.Surname.Joined}{(n.IsAlias ? "*" : "")}")) + $"|{e.BirthDate}|{e.Sex}|"
        + string.Join(';', e.Identifiers) + "|" + string.Join(';', e.Phones.Select(p => $"{p.E164}@{p.Validity}/{p.NationalNumber}/{p.SubjectRef}"))
        + "|" + string.Join(';', e.Addresses.Select(a => a.Key));

    [Fact]
    public void PhoneFeatures_NumberAndNotANumber_ReadBackAsNormalized()
    {
        Assert.True(_engine.TryReadPhoneFeatures(_engine.PhoneFeatures("+52 1 899 123 4567"), out var phone));
        var normalized = _engine.NormalizePhone(new PhoneInput("+52 1 899 123 4567"));
        Assert.Equal((normalized.E164, normalized.NationalNumber), (phone!.E164, phone.NationalNumber));

        Assert.True(_engine.TryReadPhoneFeatures(_engine.PhoneFeatures("12"), out var invalid));
        Assert.Null(invalid);
    }

    // Stored features carry what normalization produced: when it produces something else for the same input, stored
    // features are stale. If this fails after a change to normalization (folding, names, phonetics, addresses, the
    // nickname or address tables), bump RecordFeatures.NormalizationVersion (unless the stamp moved already), then
    // record the new digest here.
    [Fact]
    public void Features_SampleRecords_EncodingAsRecorded()
    {
        var text = new StringBuilder();
        foreach (var record in Read("fixture:hispanic-synthetic.csv").Take(200))
        {
            text.Append(Convert.ToHexString(_engine.PersonFeatures(_engine.BuildPersonEvidence(record.Person, places: record.Place is null ? null : [record.Place]))))
                .Append(Convert.ToHexString(_engine.AddressFeatures(record.Place?.Address))).Append('\n');
        }

        Assert.Equal("36668d16de89fe83ecbd68013614e2f9a38fe1474ae3e940839a2e25feb1cca8", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))));
    }

    // The comparers' shortcuts: the linear one-edit test is the distance test, and the Jaro–Winkler bound never rules
    // out a pair that reaches the threshold. Over every pair of words of a set's names and their one-edit variants.
    [Fact]
    public void StringShortcuts_NameWordsAndTheirVariants_AgreeWithTheFullMeasures()
    {
        var words = Read("fixture:hispanic-synthetic.csv").Take(150)
            .SelectMany(r => $"{r.Person.GivenName} {r.Person.Surname}".Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(w => w.ToLowerInvariant()).Distinct().ToList();
        var variants = words.SelectMany(w => new[] { w, w[1..], w + "a", w.Length > 2 ? $"{w[1]}{w[0]}{w[2..]}" : w, "x" + w[1..] }).Distinct().ToArray();
        var checkedPairs = 0;
        foreach (var a in variants)
        {
            foreach (var b in variants)
            {
                Assert.True(StringSimilarity.WithinOneEdit(a, b) == (StringSimilarity.DamerauLevenshtein(a, b) <= 1), $"{a} / {b}");
                foreach (var threshold in new[] { 0.9, 0.92 })
                {
                    Assert.True(StringSimilarity.CanReachJaroWinkler(a, b, threshold) || StringSimilarity.JaroWinkler(a, b) < threshold, $"{a} / {b} at {threshold}");
                }

                checkedPairs++;
            }
        }

        Assert.True(checkedPairs > 100_000, $"{checkedPairs} pairs");
    }

    // The address agreement stops matching tokens once its level is settled, and skips the words a typo cannot join:
    // the same level as the full fuzzy Dice coefficient (the comparer's measure before it stopped early, kept here as
    // the reference), over every pair of a set's addresses (read back from stored features) and their one-word
    // variants, under the default thresholds and under others.
    [Theory]
    [InlineData(0.8, 0.5)]
    [InlineData(0.6, 0.3)]
    [InlineData(1.0, 0.0)]
    public void AddressAgreement_AddressPairs_SameLevelAsFullDice(double close, double partial)
    {
        var comparer = new PersonComparer(new ComparatorSettings { AddressClose = close, AddressPartial = partial });
        var written = Read("fixture:hispanic-synthetic.csv").Take(120).Select(r => r.Place?.Address).OfType<string>().ToList();
        var addresses = written.Concat(written.Select(w => w.Replace("a", "e", StringComparison.Ordinal)))
            .Select(w => _engine.ReadAddressFeatures(_engine.AddressFeatures(w))!).Where(address => !address.IsEmpty).ToArray();
        var levels = new int[Enum.GetValues<AgreementLevel>().Length];
        foreach (var a in addresses)
        {
            foreach (var b in addresses)
            {
                var similarity = FullDice(a.InformativeTokens, b.InformativeTokens);
                var expected = similarity >= close ? AgreementLevel.Close : similarity >= partial ? AgreementLevel.Partial : AgreementLevel.Disagree;
                var level = comparer.AddressAgreement(a, b);
                Assert.True(expected == level, $"'{a.Key}' / '{b.Key}': {level}, the full measure {similarity:R} gives {expected}");
                levels[(int)level]++;
            }
        }

        Assert.True(addresses.Length > 150, $"{addresses.Length} addresses");
        // Each threshold pair must sort pairs on more than one side of a threshold, or the test proves little.
        Assert.True(levels.Count(count => count > 0) >= 2, $"levels: {string.Join(", ", levels)}");

        static double FullDice(string[] x, string[] y)
        {
            if (x.Length == 0 || y.Length == 0)
            {
                return 0;
            }

            var used = new bool[y.Length];
            var matches = 0;
            foreach (var token in x)
            {
                var found = -1;
                for (var j = 0; j < y.Length && found < 0; j++)
                {
                    found = !used[j] && y[j] == token ? j : -1;
                }

                for (var j = 0; j < y.Length && found < 0; j++)
                {
                    found = !used[j] && token.Length >= 4 && y[j].Length >= 4 && char.IsAsciiLetter(token[0]) && char.IsAsciiLetter(y[j][0]) &&
                            StringSimilarity.JaroWinkler(token, y[j]) >= 0.9 ? j : -1;
                }

                if (found >= 0)
                {
                    used[found] = true;
                    matches++;
                }
            }

            return 2.0 * matches / (x.Length + y.Length);
        }
    }

    // What the Gateway stores for a person, read back as it reads it: its evidence, with its place's address.
    private PersonEvidence Precomputed(Row record)
    {
        var stored = _engine.ReadPersonFeatures(_engine.PersonFeatures(_engine.BuildPersonEvidence(record.Person, places: record.Place is null ? null : [record.Place])));
        Assert.NotNull(stored);
        return stored;
    }

    internal sealed record Row(string Id, PersonInput Person, PlaceInput? Place);

    internal static Row[] Read(string set)
    {
        var (source, name) = (set[..set.IndexOf(':', StringComparison.Ordinal)], set[(set.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        var path = source == "fixture" ? Path.Combine(AppContext.BaseDirectory, "Fixtures", name) : SharedFebrl(name);
        if (path is null)
        {
            Assert.Skip($"{name} not found in ../shared/data/febrl beside the checkout");
        }

        return [.. File.ReadLines(path).Skip(1).Where(line => line.Length > 0).Select(line =>
        {
            var cells = line.Split(',').Select(cell => cell.Trim()).ToArray();
            var street = string.Join(' ', new[] { cells[3], cells[4] }.Where(part => part.Length > 0));
            var tail = string.Join(' ', new[] { cells[7], cells[8] }.Where(part => part.Length > 0));
            var segments = new[] { street, cells[5], cells[6], tail }.Where(part => part.Length > 0).ToArray();
            return new Row(cells[0],
                new PersonInput(cells[1], cells[2], BirthDate: cells[9], Identifiers: cells[10].Length > 0 ? [new IdentifierInput("ssn", cells[10])] : null),
                segments.Length == 0 ? null : new PlaceInput(string.Join(", ", segments)));
        })];
    }

    private static string? SharedFebrl(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "febrl", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    internal NameFrequencies Frequencies(IEnumerable<PersonEvidence> evidence)
    {
        var counter = new NameFrequencyCounter();
        foreach (var e in evidence)
        {
            counter.Add(_engine.NameComponents(e), 1);
        }

        return counter.Snapshot();
    }

    // The pairs the hub would score: records that share a blocking key, each pair once, in a fixed order.
    internal IEnumerable<(int, int)> BlockedPairs(PersonEvidence[] evidence)
    {
        var byKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < evidence.Length; i++)
        {
            foreach (var key in _engine.PersonKeys(evidence[i]))
            {
                if (!byKey.TryGetValue(key, out var list))
                {
                    byKey[key] = list = [];
                }

                list.Add(i);
            }
        }

        var pairs = new SortedSet<(int, int)>();
        foreach (var list in byKey.Values.Where(list => list.Count <= 200))
        {
            for (var x = 0; x < list.Count; x++)
            {
                for (var y = x + 1; y < list.Count; y++)
                {
                    pairs.Add((Math.Min(list[x], list[y]), Math.Max(list[x], list[y])));
                }
            }
        }

        return pairs;
    }
}
