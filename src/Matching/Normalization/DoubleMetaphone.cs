using System.Text;

namespace SharingHub.Matching.Normalization;

/// <summary>A pair of Double Metaphone codes: the primary pronunciation and an alternate one (often equal).</summary>
public readonly record struct PhoneticCode(string Primary, string Alternate)
{
    /// <summary>True when either code of this word equals either code of <paramref name="other"/>.</summary>
    public bool Agrees(PhoneticCode other) =>
        !string.IsNullOrEmpty(Primary) && !string.IsNullOrEmpty(other.Primary) &&
        (Primary == other.Primary || Primary == other.Alternate || Alternate == other.Primary || Alternate == other.Alternate);
}

/// <summary>
/// Lawrence Philips' Double Metaphone (2000), written from the published description of the algorithm and
/// checked against a reference implementation (see the test fixture). It knows Germanic, Slavic, Italian,
/// French and Spanish spellings (José, San Jacinto, Cabrillo, Gallegos), which matters for Hispanic names.
/// </summary>
public static class DoubleMetaphone
{
    private const int MaxLength = 4;

    /// <summary>Encodes one word; letters other than A–Z are ignored after folding.</summary>
    public static PhoneticCode Encode(string? word)
    {
        var folded = TextFolding.Fold(word).Replace(" ", string.Empty, StringComparison.Ordinal);
        if (folded.Length == 0)
        {
            return new PhoneticCode(string.Empty, string.Empty);
        }

        return new Encoder(folded.ToUpperInvariant()).Run();
    }

    private sealed class Encoder
    {
        private readonly string _word;
        private readonly int _length;
        private readonly int _last;
        private readonly bool _slavoGermanic;
        private readonly StringBuilder _primary = new(8);
        private readonly StringBuilder _alternate = new(8);
        private int _current;

        public Encoder(string upper)
        {
            _length = upper.Length;
            _last = _length - 1;
            // Padding lets look-ahead read past the end, as the algorithm expects ("JOSE " etc.).
            _word = upper + "     ";
            _slavoGermanic = upper.Contains('W', StringComparison.Ordinal) || upper.Contains('K', StringComparison.Ordinal) ||
                upper.Contains("CZ", StringComparison.Ordinal) || upper.Contains("WITZ", StringComparison.Ordinal);
        }

        public PhoneticCode Run()
        {
            if (At(0, "GN", "KN", "PN", "WR", "PS"))
            {
                _current++;
            }

            if (Char(0) == 'X')
            {
                Add("S");
                _current++;
            }

            while ((_primary.Length < MaxLength || _alternate.Length < MaxLength) && _current < _length)
            {
                switch (Char(_current))
                {
                    case 'A' or 'E' or 'I' or 'O' or 'U' or 'Y':
                        if (_current == 0)
                        {
                            Add("A");
                        }

                        _current++;
                        break;
                    case 'B':
                        Add("P");
                        _current += Char(_current + 1) == 'B' ? 2 : 1;
                        break;
                    case 'C':
                        EncodeC();
                        break;
                    case 'D':
                        EncodeD();
                        break;
                    case 'F':
                        _current += Char(_current + 1) == 'F' ? 2 : 1;
                        Add("F");
                        break;
                    case 'G':
                        EncodeG();
                        break;
                    case 'H':
                        if ((_current == 0 || IsVowel(_current - 1)) && IsVowel(_current + 1))
                        {
                            Add("H");
                            _current += 2;
                        }
                        else
                        {
                            _current++;
                        }

                        break;
                    case 'J':
                        EncodeJ();
                        break;
                    case 'K':
                        _current += Char(_current + 1) == 'K' ? 2 : 1;
                        Add("K");
                        break;
                    case 'L':
                        EncodeL();
                        break;
                    case 'M':
                        if ((At(_current - 1, "UMB") && (_current + 1 == _last || At(_current + 2, "ER"))) || Char(_current + 1) == 'M')
                        {
                            _current += 2;
                        }
                        else
                        {
                            _current++;
                        }

                        Add("M");
                        break;
                    case 'N':
                        _current += Char(_current + 1) == 'N' ? 2 : 1;
                        Add("N");
                        break;
                    case 'P':
                        if (Char(_current + 1) == 'H')
                        {
                            Add("F");
                            _current += 2;
                            break;
                        }

                        _current += At(_current + 1, "P", "B") ? 2 : 1;
                        Add("P");
                        break;
                    case 'Q':
                        _current += Char(_current + 1) == 'Q' ? 2 : 1;
                        Add("K");
                        break;
                    case 'R':
                        if (_current == _last && !_slavoGermanic && At(_current - 2, "IE") && !At(_current - 4, "ME", "MA"))
                        {
                            Add(string.Empty, "R");
                        }
                        else
                        {
                            Add("R");
                        }

                        _current += Char(_current + 1) == 'R' ? 2 : 1;
                        break;
                    case 'S':
                        EncodeS();
                        break;
                    case 'T':
                        EncodeT();
                        break;
                    case 'V':
                        _current += Char(_current + 1) == 'V' ? 2 : 1;
                        Add("F");
                        break;
                    case 'W':
                        EncodeW();
                        break;
                    case 'X':
                        if (!(_current == _last && (At(_current - 3, "IAU", "EAU") || At(_current - 2, "AU", "OU"))))
                        {
                            Add("KS");
                        }

                        _current += At(_current + 1, "C", "X") ? 2 : 1;
                        break;
                    case 'Z':
                        EncodeZ();
                        break;
                    default:
                        _current++;
                        break;
                }
            }

            return new PhoneticCode(Truncate(_primary), Truncate(_alternate));
        }

        private void EncodeC()
        {
            // Germanic "-ach-" (bacher, macher) but not "-achi-"/"-ache-".
            if (_current > 1 && !IsVowel(_current - 2) && At(_current - 1, "ACH") && Char(_current + 2) != 'I' &&
                (Char(_current + 2) != 'E' || At(_current - 2, "BACHER", "MACHER")))
            {
                Add("K");
                _current += 2;
                return;
            }

            if (_current == 0 && At(_current, "CAESAR"))
            {
                Add("S");
                _current += 2;
                return;
            }

            if (At(_current, "CHIA"))
            {
                Add("K");
                _current += 2;
                return;
            }

            if (At(_current, "CH"))
            {
                EncodeCh();
                return;
            }

            if (At(_current, "CZ") && !At(_current - 2, "WICZ"))
            {
                Add("S", "X");
                _current += 2;
                return;
            }

            if (At(_current + 1, "CIA"))
            {
                Add("X");
                _current += 3;
                return;
            }

            if (At(_current, "CC") && !(_current == 1 && Char(0) == 'M'))
            {
                if (At(_current + 2, "I", "E", "H") && !At(_current + 2, "HU"))
                {
                    if ((_current == 1 && Char(_current - 1) == 'A') || At(_current - 1, "UCCEE", "UCCES"))
                    {
                        Add("KS");
                    }
                    else
                    {
                        Add("X");
                    }

                    _current += 3;
                    return;
                }

                Add("K");
                _current += 2;
                return;
            }

            if (At(_current, "CK", "CG", "CQ"))
            {
                Add("K");
                _current += 2;
                return;
            }

            if (At(_current, "CI", "CE", "CY"))
            {
                if (At(_current, "CIO", "CIE", "CIA"))
                {
                    Add("S", "X");
                }
                else
                {
                    Add("S");
                }

                _current += 2;
                return;
            }

            Add("K");
            if (At(_current + 1, " C", " Q", " G"))
            {
                _current += 3;
            }
            else if (At(_current + 1, "C", "K", "Q") && !At(_current + 1, "CE", "CI"))
            {
                _current += 2;
            }
            else
            {
                _current++;
            }
        }

        private void EncodeCh()
        {
            if (_current > 0 && At(_current, "CHAE"))
            {
                Add("K", "X");
                _current += 2;
                return;
            }

            // Greek roots: chemistry, chorus, chianti.
            if (_current == 0 && (At(_current + 1, "HARAC", "HARIS") || At(_current + 1, "HOR", "HYM", "HIA", "HEM")) && !At(0, "CHORE"))
            {
                Add("K");
                _current += 2;
                return;
            }

            if (At(0, "VAN ", "VON ") || At(0, "SCH") || At(_current - 2, "ORCHES", "ARCHIT", "ORCHID") || At(_current + 2, "T", "S") ||
                ((At(_current - 1, "A", "O", "U", "E") || _current == 0) && At(_current + 2, "L", "R", "N", "M", "B", "H", "F", "V", "W", " ")))
            {
                Add("K");
            }
            else if (_current > 0)
            {
                if (At(0, "MC"))
                {
                    Add("K");
                }
                else
                {
                    Add("X", "K");
                }
            }
            else
            {
                Add("X");
            }

            _current += 2;
        }

        private void EncodeD()
        {
            if (At(_current, "DG"))
            {
                if (At(_current + 2, "I", "E", "Y"))
                {
                    Add("J");
                    _current += 3;
                }
                else
                {
                    Add("TK");
                    _current += 2;
                }

                return;
            }

            Add("T");
            _current += At(_current, "DT", "DD") ? 2 : 1;
        }

        private void EncodeG()
        {
            if (Char(_current + 1) == 'H')
            {
                EncodeGh();
                return;
            }

            if (Char(_current + 1) == 'N')
            {
                if (_current == 1 && IsVowel(0) && !_slavoGermanic)
                {
                    Add("KN", "N");
                }
                else if (!At(_current + 2, "EY") && Char(_current + 1) != 'Y' && !_slavoGermanic)
                {
                    Add("N", "KN");
                }
                else
                {
                    Add("KN");
                }

                _current += 2;
                return;
            }

            if (At(_current + 1, "LI") && !_slavoGermanic)
            {
                Add("KL", "L");
                _current += 2;
                return;
            }

            if (_current == 0 && (Char(_current + 1) == 'Y' || At(_current + 1, "ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER")))
            {
                Add("K", "J");
                _current += 2;
                return;
            }

            if ((At(_current + 1, "ER") || Char(_current + 1) == 'Y') && !At(0, "DANGER", "RANGER", "MANGER") &&
                !At(_current - 1, "E", "I") && !At(_current - 1, "RGY", "OGY"))
            {
                Add("K", "J");
                _current += 2;
                return;
            }

            if (At(_current + 1, "E", "I", "Y") || At(_current - 1, "AGGI", "OGGI"))
            {
                if (At(0, "VAN ", "VON ") || At(0, "SCH") || At(_current + 1, "ET"))
                {
                    Add("K");
                }
                else if (At(_current + 1, "IER "))
                {
                    Add("J");
                }
                else
                {
                    Add("J", "K");
                }

                _current += 2;
                return;
            }

            _current += Char(_current + 1) == 'G' ? 2 : 1;
            Add("K");
        }

        private void EncodeGh()
        {
            if (_current > 0 && !IsVowel(_current - 1))
            {
                Add("K");
                _current += 2;
                return;
            }

            if (_current == 0)
            {
                Add(Char(_current + 2) == 'I' ? "J" : "K");
                _current += 2;
                return;
            }

            // Parker's rule: hugh, bough, broughton are silent.
            if ((_current > 1 && At(_current - 2, "B", "H", "D")) || (_current > 2 && At(_current - 3, "B", "H", "D")) ||
                (_current > 3 && At(_current - 4, "B", "H")))
            {
                _current += 2;
                return;
            }

            if (_current > 2 && Char(_current - 1) == 'U' && At(_current - 3, "C", "G", "L", "R", "T"))
            {
                Add("F");
            }
            else if (_current > 0 && Char(_current - 1) != 'I')
            {
                Add("K");
            }

            _current += 2;
        }

        private void EncodeJ()
        {
            // Spanish: José, San Jacinto.
            if (At(_current, "JOSE") || At(0, "SAN "))
            {
                if ((_current == 0 && Char(_current + 4) == ' ') || At(0, "SAN "))
                {
                    Add("H");
                }
                else
                {
                    Add("J", "H");
                }

                _current++;
                return;
            }

            if (_current == 0 && !At(_current, "JOSE"))
            {
                Add("J", "A");
            }
            else if (IsVowel(_current - 1) && !_slavoGermanic && (Char(_current + 1) == 'A' || Char(_current + 1) == 'O'))
            {
                // Spanish intervocalic j: bajador.
                Add("J", "H");
            }
            else if (_current == _last)
            {
                Add("J", string.Empty);
            }
            else if (!At(_current + 1, "L", "T", "K", "S", "N", "M", "B", "Z") && !At(_current - 1, "S", "K", "L"))
            {
                Add("J");
            }

            _current += Char(_current + 1) == 'J' ? 2 : 1;
        }

        private void EncodeL()
        {
            if (Char(_current + 1) == 'L')
            {
                // Spanish -illo, -illa, -alle: Cabrillo, Gallegos.
                if ((_current == _length - 3 && At(_current - 1, "ILLO", "ILLA", "ALLE")) ||
                    ((At(_last - 1, "AS", "OS") || At(_last, "A", "O")) && At(_current - 1, "ALLE")))
                {
                    Add("L", string.Empty);
                    _current += 2;
                    return;
                }

                _current += 2;
            }
            else
            {
                _current++;
            }

            Add("L");
        }

        private void EncodeS()
        {
            if (At(_current - 1, "ISL", "YSL"))
            {
                _current++;
                return;
            }

            if (_current == 0 && At(_current, "SUGAR"))
            {
                Add("X", "S");
                _current++;
                return;
            }

            if (At(_current, "SH"))
            {
                Add(At(_current + 1, "HEIM", "HOEK", "HOLM", "HOLZ") ? "S" : "X");
                _current += 2;
                return;
            }

            if (At(_current, "SIO", "SIA") || At(_current, "SIAN"))
            {
                if (_slavoGermanic)
                {
                    Add("S");
                }
                else
                {
                    Add("S", "X");
                }

                _current += 3;
                return;
            }

            if ((_current == 0 && At(_current + 1, "M", "N", "L", "W")) || At(_current + 1, "Z"))
            {
                Add("S", "X");
                _current += At(_current + 1, "Z") ? 2 : 1;
                return;
            }

            if (At(_current, "SC"))
            {
                EncodeSc();
                return;
            }

            if (_current == _last && At(_current - 2, "AI", "OI"))
            {
                Add(string.Empty, "S");
            }
            else
            {
                Add("S");
            }

            _current += At(_current + 1, "S", "Z") ? 2 : 1;
        }

        private void EncodeSc()
        {
            if (Char(_current + 2) == 'H')
            {
                if (At(_current + 3, "OO", "ER", "EN", "UY", "ED", "EM"))
                {
                    if (At(_current + 3, "ER", "EN"))
                    {
                        Add("X", "SK");
                    }
                    else
                    {
                        Add("SK");
                    }
                }
                else if (_current == 0 && !IsVowel(3) && Char(3) != 'W')
                {
                    Add("X", "S");
                }
                else
                {
                    Add("X");
                }

                _current += 3;
                return;
            }

            Add(At(_current + 2, "I", "E", "Y") ? "S" : "SK");
            _current += 3;
        }

        private void EncodeT()
        {
            if (At(_current, "TION"))
            {
                Add("X");
                _current += 3;
                return;
            }

            if (At(_current, "TIA", "TCH"))
            {
                Add("X");
                _current += 3;
                return;
            }

            if (At(_current, "TH") || At(_current, "TTH"))
            {
                if (At(_current + 2, "OM", "AM") || At(0, "VAN ", "VON ") || At(0, "SCH"))
                {
                    Add("T");
                }
                else
                {
                    Add("0", "T");
                }

                _current += 2;
                return;
            }

            _current += At(_current + 1, "T", "D") ? 2 : 1;
            Add("T");
        }

        private void EncodeW()
        {
            if (At(_current, "WR"))
            {
                Add("R");
                _current += 2;
                return;
            }

            if (_current == 0 && (IsVowel(_current + 1) || At(_current, "WH")))
            {
                if (IsVowel(_current + 1))
                {
                    Add("A", "F");
                }
                else
                {
                    Add("A");
                }
            }

            if ((_current == _last && IsVowel(_current - 1)) || At(_current - 1, "EWSKI", "EWSKY", "OWSKI", "OWSKY") || At(0, "SCH"))
            {
                Add(string.Empty, "F");
                _current++;
                return;
            }

            if (At(_current, "WICZ", "WITZ"))
            {
                Add("TS", "FX");
                _current += 4;
                return;
            }

            _current++;
        }

        private void EncodeZ()
        {
            if (Char(_current + 1) == 'H')
            {
                Add("J");
                _current += 2;
                return;
            }

            if (At(_current + 1, "ZO", "ZI", "ZA") || (_slavoGermanic && _current > 0 && Char(_current - 1) != 'T'))
            {
                Add("S", "TS");
            }
            else
            {
                Add("S");
            }

            _current += Char(_current + 1) == 'Z' ? 2 : 1;
        }

        private char Char(int index) => index >= 0 && index < _word.Length ? _word[index] : '\0';

        private bool IsVowel(int index) => Char(index) is 'A' or 'E' or 'I' or 'O' or 'U' or 'Y';

        private bool At(int start, params ReadOnlySpan<string> candidates)
        {
            if (start < 0)
            {
                return false;
            }

            foreach (var candidate in candidates)
            {
                if (start + candidate.Length <= _word.Length && string.CompareOrdinal(_word, start, candidate, 0, candidate.Length) == 0)
                {
                    return true;
                }
            }

            return false;
        }

        private void Add(string main) => Add(main, main);

        private void Add(string main, string alternate)
        {
            _primary.Append(main);
            _alternate.Append(alternate);
        }

        private static string Truncate(StringBuilder code) =>
            code.Length > MaxLength ? code.ToString(0, MaxLength) : code.ToString();
    }
}
