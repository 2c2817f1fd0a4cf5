using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using SharingHub.Matching.Normalization;
using SharingHub.Matching.Rules;

namespace SharingHub.Matching.Features;

/// <summary>What a stored phone record contributes to matching, precomputed: its E.164 form and national number.</summary>
/// <param name="E164">The number in E.164, as the engine normalized it.</param>
/// <param name="NationalNumber">Its national significant number.</param>
public sealed record PhoneFeatures(string E164, string NationalNumber);

/// <summary>
/// The compact binary form of a record's normalized matching fields, written when the record is stored and read back
/// for every matching run instead of normalizing again (issue 14, ADR-005). A person's features hold its whole evidence:
/// its own fields (names with each word's folded text, phonetic codes, nickname groups and name-frequency keys; the
/// birth date's parts; sex; identifiers) and the phones and addresses of the records that point to it, so a candidate
/// person is read as one row. The hub writes them whenever it writes the person's blocking keys, which include the
/// same phones and addresses. A phone's features hold its E.164 form and national number, a place's its address tokens.
/// <para>
/// Every value starts with a 4-byte stamp (<see cref="MatchingEngine.FeatureStamp"/>): the format version, the
/// normalization version and the data tables normalization reads. Features with another stamp are stale: the reader
/// says so (null), and the caller normalizes the record as before and writes its features again.
/// </para>
/// </summary>
public static class RecordFeatures
{
    /// <summary>The layout of the bytes below. Bump when it changes.</summary>
    public const int FormatVersion = 2;

    /// <summary>
    /// Bump when normalization changes what it produces for the same input (folding, name parsing, phonetic codes,
    /// address canonical forms, phone rules): every stored feature is then recomputed. The test
    /// <c>Features_SampleRecords_EncodingAsRecorded</c> fails when the encoding of sample records moves, as a reminder.
    /// </summary>
    public const int NormalizationVersion = 1;

    private const byte PersonKind = 1;
    private const byte PhoneKind = 2;
    private const byte InvalidPhoneKind = 3;
    private const byte PlaceKind = 4;

    /// <summary>
    /// The first bytes of every value written under <paramref name="stamp"/>, as stored: a query compares them to tell
    /// current features from stale ones without decoding.
    /// </summary>
    public static byte[] StampPrefix(uint stamp)
    {
        var prefix = new byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(prefix, stamp);
        return prefix;
    }

    /// <summary>
    /// A person's evidence: names, birth date, sex, identifiers, and the phones and addresses that point to it (not its
    /// normalization problems, which matching does not read).
    /// </summary>
    public static byte[] Encode(uint stamp, PersonEvidence person)
    {
        ArgumentNullException.ThrowIfNull(person);
        var writer = new Writer(stamp, PersonKind);
        writer.Count(person.Names.Count);
        foreach (var name in person.Names)
        {
            writer.Byte(name.IsAlias ? (byte)1 : (byte)0);
            writer.Part(name.Given);
            writer.Part(name.Surname);
        }

        writer.Int16((short)(person.BirthDate?.Year ?? 0));
        writer.Byte((byte)(person.BirthDate?.Month ?? 0));
        writer.Byte((byte)(person.BirthDate?.Day ?? 0));
        writer.Byte((byte)person.Sex);
        writer.Count(person.Identifiers.Count);
        foreach (var identifier in person.Identifiers)
        {
            writer.String(identifier.Type);
            writer.String(identifier.Value);
        }

        writer.Count(person.Phones.Count);
        foreach (var phone in person.Phones)
        {
            writer.String(phone.E164);
            writer.String(phone.NationalNumber);
            writer.Date(phone.Validity.From);
            writer.Date(phone.Validity.To);
            writer.OptionalString(phone.SubjectRef);
        }

        writer.Count(person.Addresses.Count);
        foreach (var address in person.Addresses)
        {
            writer.Address(address);
        }

        return writer.ToArray();
    }

    /// <summary>A phone record's number; <paramref name="phone"/> null when the number is not a phone number.</summary>
    public static byte[] Encode(uint stamp, PhoneFeatures? phone)
    {
        var writer = new Writer(stamp, phone is null ? InvalidPhoneKind : PhoneKind);
        if (phone is not null)
        {
            writer.String(phone.E164);
            writer.String(phone.NationalNumber);
        }

        return writer.ToArray();
    }

    /// <summary>A place record's address (empty when it has none).</summary>
    public static byte[] Encode(uint stamp, NormalizedAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var writer = new Writer(stamp, PlaceKind);
        writer.Address(address);
        return writer.ToArray();
    }

    /// <summary>A person's evidence, or null when <paramref name="features"/> are stale (another stamp), of another kind or unreadable.</summary>
    public static PersonEvidence? ReadPerson(uint stamp, ReadOnlySpan<byte> features)
    {
        var reader = new Reader(features);
        if (!reader.Header(stamp, PersonKind))
        {
            return null;
        }

        try
        {
            var names = new PersonName[reader.Count()];
            for (var i = 0; i < names.Length; i++)
            {
                var alias = reader.Byte() == 1;
                var given = reader.Part();
                var surname = reader.Part();
                names[i] = new PersonName(given, surname, alias);
            }

            var (year, month, day) = (reader.Int16(), reader.Byte(), reader.Byte());
            PartialDate? birth = year == 0 ? null : PartialDate.Create(year, month == 0 ? null : month, day == 0 ? null : day);
            var sex = (Sex)reader.Byte();
            var identifiers = new NormalizedIdentifier[reader.Count()];
            for (var i = 0; i < identifiers.Length; i++)
            {
                identifiers[i] = new NormalizedIdentifier(reader.String(), reader.String());
            }

            var phones = new NormalizedPhone[reader.Count()];
            for (var i = 0; i < phones.Length; i++)
            {
                var (e164, national) = (reader.String(), reader.String());
                var validity = new DateRange(reader.Date(), reader.Date());
                phones[i] = new NormalizedPhone(e164, validity, reader.OptionalString(), national);
            }

            var addresses = new NormalizedAddress[reader.Count()];
            for (var i = 0; i < addresses.Length; i++)
            {
                addresses[i] = reader.Address();
            }

            return reader.AtEnd ? new PersonEvidence(names, birth, sex, identifiers, phones, addresses, []) : null;
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or ArgumentException or DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>
    /// A phone record's number: true with <paramref name="phone"/> when the features are current (null when the
    /// number was found not to be a phone number); false when stale or unreadable.
    /// </summary>
    public static bool TryReadPhone(uint stamp, ReadOnlySpan<byte> features, out PhoneFeatures? phone)
    {
        phone = null;
        var reader = new Reader(features);
        if (reader.Header(stamp, InvalidPhoneKind))
        {
            return reader.AtEnd;
        }

        reader = new Reader(features);
        if (!reader.Header(stamp, PhoneKind))
        {
            return false;
        }

        try
        {
            phone = new PhoneFeatures(reader.String(), reader.String());
            return reader.AtEnd;
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or ArgumentException or DecoderFallbackException)
        {
            phone = null;
            return false;
        }
    }

    /// <summary>A place record's address, or null when stale, of another kind or unreadable.</summary>
    public static NormalizedAddress? ReadAddress(uint stamp, ReadOnlySpan<byte> features)
    {
        var reader = new Reader(features);
        if (!reader.Header(stamp, PlaceKind))
        {
            return null;
        }

        try
        {
            var address = reader.Address();
            return reader.AtEnd ? address : null;
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or ArgumentException or DecoderFallbackException)
        {
            return null;
        }
    }

    private sealed class Writer
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(128);

        public Writer(uint stamp, byte kind)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), stamp);
            _buffer.Advance(4);
            Byte(kind);
        }

        public void Byte(byte value)
        {
            _buffer.GetSpan(1)[0] = value;
            _buffer.Advance(1);
        }

        public void Int16(short value)
        {
            BinaryPrimitives.WriteInt16LittleEndian(_buffer.GetSpan(2), value);
            _buffer.Advance(2);
        }

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
            _buffer.Advance(8);
        }

        // Unsigned LEB128: counts, lengths and nickname group numbers are small.
        public void Count(int value)
        {
            var v = (uint)value;
            while (v >= 0x80)
            {
                Byte((byte)(v | 0x80));
                v >>= 7;
            }

            Byte((byte)v);
        }

        public void String(string value)
        {
            var length = Encoding.UTF8.GetByteCount(value);
            Count(length);
            Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
            _buffer.Advance(length);
        }

        public void Strings(IReadOnlyList<string> values)
        {
            Count(values.Count);
            foreach (var value in values)
            {
                String(value);
            }
        }

        public void OptionalString(string? value)
        {
            Byte(value is null ? (byte)0 : (byte)1);
            if (value is not null)
            {
                String(value);
            }
        }

        // 0 for no date, else the day number plus one.
        public void Date(DateOnly? value) => Count(value is { } date ? date.DayNumber + 1 : 0);

        public void Address(NormalizedAddress address)
        {
            Strings(address.StreetTokens);
            Strings(address.LocalityTokens);
            OptionalString(address.Postcode);
        }

        public void Groups(int[] groups)
        {
            Count(groups.Length);
            foreach (var group in groups)
            {
                Count(group);
            }
        }

        public void Part(NamePart part)
        {
            Count(part.TokenArray.Length);
            if (part.TokenArray.Length == 0)
            {
                return;
            }

            String(part.Joined);
            String(part.JoinedPhonetic.Primary ?? string.Empty);
            String(part.JoinedPhonetic.Alternate ?? string.Empty);
            Groups(part.JoinedNicknameGroups);
            foreach (var token in part.TokenArray)
            {
                String(token.Text);
                String(token.Phonetic.Primary ?? string.Empty);
                String(token.Phonetic.Alternate ?? string.Empty);
                Groups(token.NicknameGroups);
                Int64(token.GivenHash);
                Int64(token.SurnameHash);
            }
        }

        public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public readonly bool AtEnd => _position == _bytes.Length;

        public bool Header(uint stamp, byte kind)
        {
            if (_bytes.Length < 5 || BinaryPrimitives.ReadUInt32LittleEndian(_bytes) != stamp || _bytes[4] != kind)
            {
                return false;
            }

            _position = 5;
            return true;
        }

        public byte Byte() => _bytes[_position++];

        public short Int16()
        {
            var value = BinaryPrimitives.ReadInt16LittleEndian(_bytes.Slice(_position, 2));
            _position += 2;
            return value;
        }

        public long Int64()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(_bytes.Slice(_position, 8));
            _position += 8;
            return value;
        }

        public int Count()
        {
            var value = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                var b = Byte();
                value |= (b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
                }
            }

            throw new ArgumentOutOfRangeException(nameof(value));
        }

        public string String()
        {
            var length = Count();
            var value = Encoding.UTF8.GetString(_bytes.Slice(_position, length));
            _position += length;
            return value;
        }

        public string[] Strings()
        {
            var values = new string[Count()];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = String();
            }

            return values;
        }

        public string? OptionalString() => Byte() == 1 ? String() : null;

        public DateOnly? Date() => Count() is var day and > 0 ? DateOnly.FromDayNumber(day - 1) : null;

        public NormalizedAddress Address()
        {
            var street = Strings();
            var locality = Strings();
            return new NormalizedAddress(street, locality, OptionalString());
        }

        public int[] Groups()
        {
            var count = Count();
            if (count == 0)
            {
                return [];
            }

            var groups = new int[count];
            for (var i = 0; i < groups.Length; i++)
            {
                groups[i] = Count();
            }

            return groups;
        }

        // A part as it was read before, when its bytes are kept (DecodedNameParts), or read now and kept.
        public NamePart Part()
        {
            var start = _position;
            SkipPart();
            var bytes = _bytes[start.._position];
            if (DecodedNameParts.Find(bytes) is { } known)
            {
                return known;
            }

            _position = start;
            var part = ReadPart();
            DecodedNameParts.Keep(bytes, part);
            return part;
        }

        private void SkipPart()
        {
            var count = Count();
            if (count == 0)
            {
                return;
            }

            SkipStrings(3);
            SkipGroups();
            for (var i = 0; i < count; i++)
            {
                SkipStrings(3);
                SkipGroups();
                Skip(2 * sizeof(long));
            }
        }

        private void SkipStrings(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Skip(Count());
            }
        }

        private void SkipGroups()
        {
            for (var groups = Count(); groups > 0; groups--)
            {
                Count();
            }
        }

        // Moves past bytes that must be there: a truncated value fails here as it would when read.
        private void Skip(int length)
        {
            _ = _bytes.Slice(_position, length);
            _position += length;
        }

        private NamePart ReadPart()
        {
            var count = Count();
            if (count == 0)
            {
                return NamePart.Empty;
            }

            var joined = String();
            var joinedPhonetic = new PhoneticCode(String(), String());
            var joinedGroups = Groups();
            var tokens = new NameToken[count];
            for (var i = 0; i < count; i++)
            {
                tokens[i] = new NameToken(String(), new PhoneticCode(String(), String()), Groups(), Int64(), Int64());
            }

            return new NamePart(tokens, joined, joinedPhonetic, joinedGroups);
        }
    }
}
