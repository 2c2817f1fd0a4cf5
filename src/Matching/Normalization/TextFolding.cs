using System.Globalization;
using System.Text;

namespace SharingHub.Matching.Normalization;

/// <summary>
/// Folds free text to lower-case ASCII letters, digits and single spaces: diacritics are removed
/// (José → jose, Muñoz → munoz), ligatures expanded (ß → ss, æ → ae) and punctuation turned into spaces.
/// Apostrophes join rather than split (O'Brien → obrien).
/// </summary>
public static class TextFolding
{
    /// <summary>Folds <paramref name="text"/>; characters listed in <paramref name="keep"/> survive as themselves.</summary>
    public static string Fold(string? text, string keep = "")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var decomposed = text.IsNormalized(NormalizationForm.FormD) ? text : text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        var pendingSpace = false;
        foreach (var c in decomposed)
        {
            if (c is '\'' or '’' or '`' or '´' || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            var isKept = keep.Length > 0 && keep.Contains(c, StringComparison.Ordinal);
            var expansion = isKept ? null : Expand(c);
            var single = isKept ? c : expansion is null ? Single(c) : '\0';
            if (single == '\0' && expansion is null)
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace && builder.Length > 0)
            {
                builder.Append(' ');
            }

            pendingSpace = false;
            if (expansion is not null)
            {
                builder.Append(expansion);
            }
            else
            {
                builder.Append(single);
            }
        }

        return builder.ToString();
    }

    /// <summary>Splits folded text on spaces.</summary>
    public static string[] Tokens(string? text, string keep = "") =>
        Fold(text, keep).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static char Single(char c) => c switch
    {
        >= 'a' and <= 'z' or >= '0' and <= '9' => c,
        >= 'A' and <= 'Z' => (char)(c + 32),
        'ø' or 'Ø' => 'o',
        'đ' or 'Đ' or 'ð' or 'Ð' => 'd',
        'ł' or 'Ł' => 'l',
        'ı' => 'i',
        _ => '\0',
    };

    private static string? Expand(char c) => c switch
    {
        'ß' => "ss",
        'æ' or 'Æ' => "ae",
        'œ' or 'Œ' => "oe",
        'þ' or 'Þ' => "th",
        _ => null,
    };
}
