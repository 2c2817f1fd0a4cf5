using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SharingHub.Matching.Blocking;
using SharingHub.Matching.Features;
using SharingHub.Matching.Normalization;
using SharingHub.Matching.Rules;
using SharingHub.Matching.Scoring;

namespace SharingHub.Matching;

/// <summary>An input that cannot take part in matching, with the reason; the record is stored but not matched on that field.</summary>
public sealed class InvalidMatchingInputException(string field, string reason)
    : Exception($"{field}: {reason}")
{
    public string Field { get; } = field;

    public string Reason { get; } = reason;
}

/// <summary>
/// The deconfliction engine: normalization, blocking keys, person scoring and the phone, place and operation
/// rules, under one set of options and one parameter file. Thread-safe and stateless after construction; create
/// one per process. It reads no clock and does no I/O (the parameter file is read once, at construction, when
/// <see cref="MatchingOptions.ParametersPath"/> is set).
/// </summary>
public sealed class MatchingEngine
{
    // Longer single-field names are rare and would multiply readings (and keys) for little gain.
    private const int MaxSplitWords = 5;

    private readonly NameNormalizer _names;
    private readonly PhoneNormalizer _phones;
    private readonly PersonComparer _comparer;

    public MatchingEngine(MatchingOptions options, MatchParameters? parameters = null, NicknameTable? nicknames = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Parameters = parameters ?? (options.ParametersPath is { Length: > 0 } path ? MatchParameters.Load(path) : MatchParameters.Default);
        Nicknames = nicknames ?? NicknameTable.Default;
        _names = new NameNormalizer(Nicknames);
        _phones = new PhoneNormalizer(options.DefaultRegion, options.NeighbourRegions);
        _comparer = new PersonComparer(Parameters.Comparators);
        Scorer = new PersonScorer(Parameters);
        FeatureStamp = ComputeFeatureStamp();
    }

    /// <summary>An engine with default options (region US) and the embedded parameters and nickname table.</summary>
    public static MatchingEngine CreateDefault() => new(new MatchingOptions());

    public MatchingOptions Options { get; }

    public MatchParameters Parameters { get; }

    public NicknameTable Nicknames { get; }

    public PersonScorer Scorer { get; }

    public PersonComparer Comparer => _comparer;

    /// <summary>
    /// The stamp every stored feature value starts with (<see cref="RecordFeatures"/>): the feature format and
    /// normalization versions, the nickname table, the Mexican address vocabulary and the phone regions. Features with
    /// another stamp were computed by another normalization and are recomputed.
    /// </summary>
    public uint FeatureStamp { get; }

    // The facade's members stay instance members even where they need no state, so callers hold one engine
    // and a rule can start using options later without breaking them.
#pragma warning disable CA1822

    // ----- Normalization -----

    /// <summary>
    /// Builds a subject's evidence from its person record and the phones and places (of the same agency) whose
    /// <c>subjectRef</c> points to it. Never throws on bad field values: they are left out and listed in
    /// <see cref="PersonEvidence.Problems"/>.
    /// </summary>
    public PersonEvidence BuildPersonEvidence(PersonInput person, IEnumerable<PhoneInput>? phones = null, IEnumerable<PlaceInput>? places = null)
    {
        ArgumentNullException.ThrowIfNull(person);
        var problems = new List<NormalizationProblem>();
        var names = new List<PersonName>();
        var primary = _names.Normalize(person.GivenName, person.Surname);
        if (!primary.IsEmpty)
        {
            names.Add(primary);
        }

        // A whole name in one field ("José Ricardo García Gómez", no surname) is also read at every split point, so
        // it meets "José Ricardo | García Gómez"; the comparator keeps whichever reading agrees best.
        // The same for a whole name in the surname field with no given name ("CARLOS DE LOS SANTOS"): a clerk put the
        // given name in the wrong field.
        var whole = primary.Surname.IsEmpty ? primary.Given : primary.Given.IsEmpty ? primary.Surname : null;
        if (whole is { Tokens.Count: >= 2 and <= MaxSplitWords })
        {
            var words = whole.Tokens.Select(token => token.Text).ToArray();
            for (var split = 1; split < words.Length; split++)
            {
                names.Add(_names.Normalize(string.Join(' ', words[..split]), string.Join(' ', words[split..])));
            }
        }

        foreach (var alias in person.Aliases ?? [])
        {
            var name = _names.NormalizeFullName(alias, isAlias: true);
            if (!name.IsEmpty)
            {
                names.Add(name);
            }
        }

        PartialDate? birth = null;
        if (!string.IsNullOrWhiteSpace(person.BirthDate))
        {
            if (PartialDate.TryParse(person.BirthDate, out var parsed))
            {
                birth = parsed;
            }
            else
            {
                problems.Add(new NormalizationProblem("birthDate", "not a date in the form YYYY, YYYY-MM, YYYY-MM-DD or YYYYMMDD"));
            }
        }

        var identifiers = new List<NormalizedIdentifier>();
        foreach (var identifier in person.Identifiers ?? [])
        {
            if (NormalizeIdentifier(identifier) is { } normalized)
            {
                identifiers.Add(normalized);
            }
            else
            {
                problems.Add(new NormalizationProblem("identifiers", "an identifier needs a type and a value with letters or digits"));
            }
        }

        var normalizedPhones = new List<NormalizedPhone>();
        foreach (var phone in phones ?? [])
        {
            try
            {
                normalizedPhones.Add(NormalizePhone(phone));
            }
            catch (InvalidMatchingInputException exception)
            {
                problems.Add(new NormalizationProblem(exception.Field, exception.Reason));
            }
        }

        var addresses = new List<NormalizedAddress>();
        foreach (var place in places ?? [])
        {
            var address = AddressNormalizer.Normalize(place.Address);
            if (!address.IsEmpty)
            {
                addresses.Add(address);
            }
        }

        return new PersonEvidence([.. names], birth, ParseSex(person.Sex), [.. identifiers.Distinct()], [.. normalizedPhones],
            [.. addresses], [.. problems]);
    }

    /// <summary>Normalizes a phone record; throws <see cref="InvalidMatchingInputException"/> when the number cannot be a phone number.</summary>
    public NormalizedPhone NormalizePhone(PhoneInput phone)
    {
        ArgumentNullException.ThrowIfNull(phone);
        if (!_phones.TryNormalize(phone.Number, out var e164))
        {
            throw new InvalidMatchingInputException("number", $"not a possible phone number (read in region {string.Join(", then ", _phones.Regions)} when it has no country code)");
        }

        if (phone.ValidFrom > phone.ValidTo)
        {
            throw new InvalidMatchingInputException("validTo", "validTo is before validFrom");
        }

        return new NormalizedPhone(e164, new DateRange(phone.ValidFrom, phone.ValidTo), phone.SubjectRef);
    }

    /// <summary>Normalizes a place; throws <see cref="InvalidMatchingInputException"/> for bad coordinates or an empty place.</summary>
    public NormalizedPlace NormalizePlace(PlaceInput place)
    {
        ArgumentNullException.ThrowIfNull(place);
        return NormalizePlace(place, () => AddressNormalizer.Normalize(place.Address));
    }

    private static NormalizedPlace NormalizePlace(PlaceInput place, Func<NormalizedAddress> normalizeAddress)
    {
        GeoPoint? point = null;
        if (place.Latitude.HasValue != place.Longitude.HasValue)
        {
            throw new InvalidMatchingInputException("lat/lon", "latitude and longitude must be given together");
        }

        if (place.Latitude is { } lat && place.Longitude is { } lon)
        {
            point = GeoPoint.TryCreate(lat, lon, out var p) ? p
                : throw new InvalidMatchingInputException("lat/lon", "latitude must be within [-90, 90] and longitude within [-180, 180]");
        }

        var address = normalizeAddress();
        if (address.IsEmpty && point is null)
        {
            throw new InvalidMatchingInputException("address", "a place needs an address or coordinates");
        }

        if (place.ValidFrom > place.ValidTo)
        {
            throw new InvalidMatchingInputException("validTo", "validTo is before validFrom");
        }

        return new NormalizedPlace(address.IsEmpty ? null : address, point, new TimeWindow(place.ValidFrom, place.ValidTo), place.SubjectRef);
    }

    /// <summary>Normalizes a planned operation; throws <see cref="InvalidMatchingInputException"/> for a bad circle or window.</summary>
    public PlannedOperation NormalizeOperation(OperationInput operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (!GeoPoint.TryCreate(operation.Latitude, operation.Longitude, out var center))
        {
            throw new InvalidMatchingInputException("lat/lon", "latitude must be within [-90, 90] and longitude within [-180, 180]");
        }

        if (!double.IsFinite(operation.RadiusMeters) || operation.RadiusMeters <= 0 || operation.RadiusMeters > Options.MaxOperationRadiusMeters)
        {
            throw new InvalidMatchingInputException("radiusMeters", $"the radius must be above 0 and at most {Options.MaxOperationRadiusMeters} m");
        }

        if (operation.EndsAt < operation.StartsAt)
        {
            throw new InvalidMatchingInputException("endsAt", "endsAt is before startsAt");
        }

        return new PlannedOperation(center, operation.RadiusMeters, new TimeWindow(operation.StartsAt, operation.EndsAt));
    }

    // ----- Precomputed features (RecordFeatures) -----

    /// <summary>The stored form of a person's evidence: its own fields with the phones and addresses that point to it.</summary>
    public byte[] PersonFeatures(PersonEvidence evidence) => RecordFeatures.Encode(FeatureStamp, evidence);

    /// <summary>A person's evidence read back from <see cref="PersonFeatures"/>; null when stale or unreadable.</summary>
    public PersonEvidence? ReadPersonFeatures(ReadOnlySpan<byte> features) => RecordFeatures.ReadPerson(FeatureStamp, features);

    /// <summary>The stored form of a phone record's number (also when it is not a phone number: then it matches nothing).</summary>
    public byte[] PhoneFeatures(string? number) =>
        RecordFeatures.Encode(FeatureStamp, _phones.TryNormalize(number, out var e164)
            ? new PhoneFeatures(e164, SharingHub.Rules.PhoneRules.NationalNumberOf(e164) ?? e164)
            : null);

    /// <summary>A phone record's number read back: true when current (<paramref name="phone"/> null: not a phone number).</summary>
    public bool TryReadPhoneFeatures(ReadOnlySpan<byte> features, out PhoneFeatures? phone) => RecordFeatures.TryReadPhone(FeatureStamp, features, out phone);

    /// <summary>The stored form of a place record's address.</summary>
    public byte[] AddressFeatures(string? address) => RecordFeatures.Encode(FeatureStamp, AddressNormalizer.Normalize(address));

    /// <summary>A place record's address read back from <see cref="AddressFeatures"/>; null when stale or unreadable.</summary>
    public NormalizedAddress? ReadAddressFeatures(ReadOnlySpan<byte> features) => RecordFeatures.ReadAddress(FeatureStamp, features);

    /// <summary>
    /// <see cref="NormalizePhone(PhoneInput)"/> with the number precomputed (<paramref name="features"/>, from
    /// <see cref="TryReadPhoneFeatures"/>); without them, normalizes. The same result and the same errors.
    /// </summary>
    public NormalizedPhone NormalizePhone(PhoneInput phone, PhoneFeatures? features)
    {
        ArgumentNullException.ThrowIfNull(phone);
        if (features is null)
        {
            return NormalizePhone(phone);
        }

        if (phone.ValidFrom > phone.ValidTo)
        {
            throw new InvalidMatchingInputException("validTo", "validTo is before validFrom");
        }

        return new NormalizedPhone(features.E164, new DateRange(phone.ValidFrom, phone.ValidTo), phone.SubjectRef, features.NationalNumber);
    }

    /// <summary>
    /// The same evidence as <see cref="BuildPersonEvidence(PersonInput, IEnumerable{PhoneInput}?, IEnumerable{PlaceInput}?)"/>, from a person's own fields (<paramref name="own"/>: built
    /// without phones or places, or read back from features, whose phones and addresses are then replaced) and what points to it: each phone with its precomputed
    /// number when current (null: normalized here), each place's normalized address.
    /// </summary>
    public PersonEvidence ComposePersonEvidence(PersonEvidence own, IEnumerable<(PhoneInput Phone, PhoneFeatures? Features)> phones, IEnumerable<NormalizedAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(phones);
        ArgumentNullException.ThrowIfNull(addresses);
        var problems = new List<NormalizationProblem>(own.Problems);
        var normalizedPhones = new List<NormalizedPhone>();
        foreach (var (phone, features) in phones)
        {
            try
            {
                normalizedPhones.Add(NormalizePhone(phone, features));
            }
            catch (InvalidMatchingInputException exception)
            {
                problems.Add(new NormalizationProblem(exception.Field, exception.Reason));
            }
        }

        return new PersonEvidence([.. own.Names], own.BirthDate, own.Sex, [.. own.Identifiers], [.. normalizedPhones],
            [.. addresses.Where(address => !address.IsEmpty)], [.. problems]);
    }

    /// <summary><see cref="NormalizePlace(PlaceInput)"/> with the address already normalized (<see cref="ReadAddressFeatures"/>).</summary>
    public NormalizedPlace NormalizePlace(PlaceInput place, NormalizedAddress? address)
    {
        ArgumentNullException.ThrowIfNull(place);
        return address is null ? NormalizePlace(place) : NormalizePlace(place, () => address);
    }

    // ----- Blocking keys -----

    /// <summary>Blocking keys of a subject (see <see cref="BlockingKeys.ForPerson"/>).</summary>
    public IReadOnlyList<string> PersonKeys(PersonEvidence evidence) => BlockingKeys.ForPerson(evidence);

    /// <summary>Blocking keys of a phone record.</summary>
    public IReadOnlyList<string> PhoneKeys(NormalizedPhone phone) => BlockingKeys.ForPhoneRecord(phone);

    /// <summary>Blocking keys of a place (street line, nearby cells, operation-level cells).</summary>
    public IReadOnlyList<string> PlaceKeys(NormalizedPlace place) => BlockingKeys.ForPlace(place, Options.SharedPlaceDistanceMeters);

    /// <summary>Blocking keys of a planned operation (cells × time buckets, and area cells).</summary>
    public IReadOnlyList<string> OperationKeys(PlannedOperation operation) =>
        BlockingKeys.ForOperation(operation, Options.OperationBufferMeters, Options.OperationBufferTime);

    // ----- Decisions -----

    /// <summary>Compares and scores two subjects: score, band and explanation.</summary>
    public PersonMatchResult ScorePersons(PersonEvidence a, PersonEvidence b) => Scorer.Score(_comparer.Compare(a, b));

    /// <summary>
    /// Scores two subjects with term-frequency adjusted name weights (<see cref="PersonScorer.Score(ComparisonVector, NameFrequencies?)"/>):
    /// two rare names that agree weigh more than two common ones.
    /// </summary>
    public PersonMatchResult ScorePersons(PersonEvidence a, PersonEvidence b, NameFrequencies? frequencies) =>
        Scorer.Score(_comparer.Compare(a, b, frequencies), frequencies);

    /// <summary>
    /// The score and band of <see cref="ScorePersons(PersonEvidence, PersonEvidence, NameFrequencies?)"/>, without the
    /// explanation and without allocating (<see cref="PersonScorer.QuickScore"/>): for ranking and deciding candidates.
    /// </summary>
    public PersonScore QuickScore(PersonEvidence a, PersonEvidence b, NameFrequencies? frequencies) => Scorer.QuickScore(_comparer, a, b, frequencies);

    /// <summary>
    /// The name components a person record adds to the frequency counts: each distinct full word of its primary
    /// given name and surname, the whole part when it has several words (<see cref="NameFrequencies.Combination"/>),
    /// plus one empty component per part it has (which counts the records with that part).
    /// </summary>
    public IReadOnlyList<NameComponent> NameComponents(PersonEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var components = new List<NameComponent>(6);
        if (evidence.Names.Count == 0 || evidence.Names[0].IsAlias)
        {
            return components;
        }

        var name = evidence.Names[0];
        foreach (var (part, kind) in new[] { (name.Given, NameComponentKind.Given), (name.Surname, NameComponentKind.Surname) })
        {
            if (part.IsEmpty)
            {
                continue;
            }

            components.Add(new NameComponent(kind, string.Empty));
            var words = new List<string>(part.Tokens.Count);
            foreach (var token in part.Tokens)
            {
                var component = new NameComponent(kind, token.Text);
                if (!token.IsInitial && !components.Contains(component))
                {
                    components.Add(component);
                    words.Add(token.Text);
                }
            }

            // The whole part too ("juan carlos", "garcia lopez"): compound names and surname pairs are not
            // independent words, so two that agree in full are weighed by how often the pair itself occurs.
            if (words.Count > 1)
            {
                components.Add(new NameComponent(kind, NameFrequencies.Combination(words)));
            }
        }

        return components;
    }

    /// <summary>
    /// The full-name components of a person record (<see cref="NameComponentKind.Full"/>): each combination of some of
    /// its given-name words with some of its surname words (every subset of a part of up to three words; of a longer
    /// part, each word and the whole), so that the words any pair agrees on are counted together; plus one empty
    /// component when the record has both parts. Counted by the lab (<c>MatchingLab border --full-names</c>) to weigh
    /// names by how often the full name itself occurs; the hub does not count them (ADR-004, "On a full hub").
    /// </summary>
    public IReadOnlyList<NameComponent> FullNameComponents(PersonEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var components = new List<NameComponent>();
        if (evidence.Names.Count == 0 || evidence.Names[0].IsAlias)
        {
            return components;
        }

        var name = evidence.Names[0];
        var given = Subsets(name.Given);
        var surname = Subsets(name.Surname);
        if (given.Count == 0 || surname.Count == 0)
        {
            return components;
        }

        components.Add(new NameComponent(NameComponentKind.Full, string.Empty));
        foreach (var g in given)
        {
            foreach (var s in surname)
            {
                components.Add(new NameComponent(NameComponentKind.Full, NameFrequencies.FullName(g, s)));
            }
        }

        return components;

        static List<string[]> Subsets(NamePart part)
        {
            var words = part.Tokens.Where(t => !t.IsInitial).Select(t => t.Text).Distinct(StringComparer.Ordinal).ToArray();
            if (words.Length > 3)
            {
                return [.. words.Select(w => new[] { w }), words];
            }

            var subsets = new List<string[]>();
            for (var mask = 1; mask < 1 << words.Length; mask++)
            {
                subsets.Add([.. words.Where((_, i) => (mask & (1 << i)) != 0)]);
            }

            return subsets;
        }
    }

    /// <summary>Shared-phone rule (same E.164, overlapping validity).</summary>
    public SharedPhoneHit? MatchPhones(NormalizedPhone a, NormalizedPhone b) => DeconflictionRules.SharedPhone(a, b);

    /// <summary>Shared-place rule (same address, or points within <see cref="MatchingOptions.SharedPlaceDistanceMeters"/>).</summary>
    public SharedPlaceHit? MatchPlaces(NormalizedPlace a, NormalizedPlace b) =>
        DeconflictionRules.SharedPlace(a, b, Options.SharedPlaceDistanceMeters);

    /// <summary>Operation-conflict rule (circles and windows overlap or touch, within the configured buffers).</summary>
    public OperationConflictHit? MatchOperations(PlannedOperation a, PlannedOperation b) =>
        DeconflictionRules.OperationConflict(a, b, Options.OperationBufferMeters, Options.OperationBufferTime);

    /// <summary>Subject-in-operation rule (the place's point inside the circle, its validity overlapping the window).</summary>
    public SubjectInOperationHit? MatchSubjectInOperation(NormalizedPlace place, PlannedOperation operation) =>
        DeconflictionRules.SubjectInOperation(place, operation);

#pragma warning restore CA1822

    private uint ComputeFeatureStamp()
    {
        using var vocabulary = typeof(MatchingEngine).Assembly.GetManifestResourceStream("SharingHub.Matching.mx-address.csv")
            ?? throw new InvalidOperationException("The embedded Mexican address vocabulary is missing from the assembly.");
        var text = $"format:{RecordFeatures.FormatVersion};normalization:{RecordFeatures.NormalizationVersion};" +
                   $"nicknames:{Nicknames.Fingerprint};mx:{Convert.ToHexStringLower(SHA256.HashData(vocabulary))};regions:{string.Join(',', _phones.Regions)}";
        return BinaryPrimitives.ReadUInt32LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    internal static NormalizedIdentifier? NormalizeIdentifier(IdentifierInput identifier)
    {
        var type = TextFolding.Fold(identifier.Type, keep: ":").Replace(" ", string.Empty, StringComparison.Ordinal);
        var value = TextFolding.Fold(identifier.Value).Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        return type.Length == 0 || value.Length == 0 ? null : new NormalizedIdentifier(type, value);
    }

    internal static Sex ParseSex(string? sex) => TextFolding.Fold(sex) switch
    {
        "f" or "female" or "w" or "woman" or "mujer" or "femenino" or "fem" => Sex.Female,
        "m" or "male" or "man" or "h" or "hombre" or "masculino" or "masc" => Sex.Male,
        _ => Sex.Unknown,
    };
}
