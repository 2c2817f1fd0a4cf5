using System.Globalization;
using System.Text;

namespace SharingHub.MatchingLab;

/// <summary>
/// <c>synth --out F [--count N] [--seed S]</c>: a synthetic Hispanic-name data set in FEBRL's columns, to check
/// that a model estimated on FEBRL's Australian names holds elsewhere. Originals have one or two given names,
/// paternal + maternal surnames drawn from a skewed list of common surnames (so many people share names), and
/// families (siblings sharing surnames and address: hard non-matches). Duplicates carry the corruptions of
/// Hispanic records in US case files: dropped second surname, hyphenated or run-together surnames, "Surname,
/// Given" in one field, dropped or initialled second given name, nicknames, lost or added diacritics, swapped
/// name fields, typos, transposed or partial birth dates, missing identifiers and abbreviated addresses.
/// </summary>
internal static class Synth
{
    private static readonly string[] Surnames =
    [
        "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez", "Torres", "Flores",
        "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes", "Gutiérrez", "Ortiz", "Ramos", "Chávez", "Ruiz", "Mendoza",
        "Jiménez", "Vásquez", "Castillo", "Moreno", "Romero", "Herrera", "Medina", "Aguilar", "Vargas", "Castro", "Guzmán",
        "Fernández", "Juárez", "Muñoz", "Domínguez", "Rojas", "Méndez", "Álvarez", "Soto", "Salazar", "Delgado", "Contreras",
        "Ortega", "Silva", "Sandoval", "Ríos", "Estrada", "Núñez", "Vega", "Luna", "Figueroa", "Campos", "Guerrero", "Cabrera",
        "Acosta", "Peña", "Maldonado", "Navarro", "Espinoza", "Valdez", "Cortés", "Ibarra", "de la Cruz", "de León", "del Río",
        "Villanueva", "Quiñones", "Zúñiga", "Bautista", "Cervantes", "Fuentes", "Solís", "Carrillo", "Trujillo", "Velázquez",
        "Orozco", "Pacheco", "Valenzuela", "Calderón", "Montoya", "Lara", "Escobar", "Cisneros", "Galván", "Ochoa", "Beltrán",
    ];

    private static readonly string[] MaleNames =
    [
        "José", "Juan", "Luis", "Carlos", "Jesús", "Miguel", "Francisco", "Antonio", "Manuel", "Jorge", "Alejandro", "Pedro",
        "Ricardo", "Fernando", "Javier", "Roberto", "Eduardo", "Guillermo", "Enrique", "Ignacio", "Rafael", "Raúl", "Sergio",
        "Daniel", "Alberto", "Héctor", "Salvador", "Ramón", "Gerardo", "Óscar", "Arturo", "Joaquín", "Santiago", "Andrés",
    ];

    private static readonly string[] FemaleNames =
    [
        "María", "Guadalupe", "Ana", "Rosa", "Carmen", "Dolores", "Rosario", "Concepción", "Juana", "Margarita", "Patricia",
        "Elena", "Isabel", "Teresa", "Francisca", "Josefina", "Leticia", "Laura", "Alejandra", "Gabriela", "Verónica",
        "Mercedes", "Pilar", "Lucía", "Sofía", "Valentina", "Yolanda", "Beatriz", "Silvia", "Claudia", "Adriana", "Mónica",
    ];

    private static readonly Dictionary<string, string[]> Nicknames = new(StringComparer.Ordinal)
    {
        ["José"] = ["Pepe", "Chepe"], ["Francisco"] = ["Paco", "Pancho", "Frank"], ["Guadalupe"] = ["Lupe", "Lupita"],
        ["Jesús"] = ["Chuy", "Chucho"], ["Ignacio"] = ["Nacho"], ["Enrique"] = ["Quique", "Henry"], ["Alejandro"] = ["Alex", "Alejo"],
        ["Concepción"] = ["Concha", "Conchita"], ["Dolores"] = ["Lola"], ["Rosario"] = ["Charo", "Chayo"], ["Manuel"] = ["Manolo"],
        ["Guillermo"] = ["Memo", "William"], ["Eduardo"] = ["Lalo"], ["Roberto"] = ["Beto", "Robert"], ["Salvador"] = ["Chava"],
        ["Rafael"] = ["Rafa"], ["Antonio"] = ["Toño", "Tony"], ["Margarita"] = ["Marga"], ["Teresa"] = ["Tere"],
        ["Francisca"] = ["Paca", "Paquita"], ["Josefina"] = ["Fina", "Pepa"], ["Isabel"] = ["Chabela"], ["Alberto"] = ["Beto"],
        ["Ricardo"] = ["Richi"], ["Juan"] = ["Juanito", "John"], ["Miguel"] = ["Mike"], ["Pedro"] = ["Peter"], ["Gabriela"] = ["Gaby"],
    };

    private static readonly string[] Streets =
    [
        "Main Street", "Calle Mayor", "Avenida Juárez", "Harrisburg Boulevard", "Telephone Road", "Airline Drive", "Fulton Street",
        "North Main Street", "Navigation Boulevard", "Jensen Drive", "Irvington Boulevard", "Calle Hidalgo", "Bellaire Boulevard",
        "Westheimer Road", "Long Point Road", "Gessner Road", "Hillcroft Avenue", "Fondren Road", "Wayside Drive", "Lyons Avenue",
    ];

    private static readonly string[] Cities = ["Houston TX", "Pasadena TX", "Kansas City MO", "Independence MO", "Brownsville TX", "Laredo TX"];

    public static int Run(Args args)
    {
        var random = new Random(args.Int("seed", 1));
        var count = args.Int("count", 1000);
        var rows = new List<string[]>();
        var entity = 0;
        while (entity < count)
        {
            // Families: siblings share both surnames and the address but not given names or birth dates.
            var paternal = Skewed(random, Surnames);
            var maternal = Skewed(random, Surnames);
            var address = $"{random.Next(100, 9999)} {Pick(random, Streets)}{(random.NextDouble() < 0.4 ? $" Apartment {random.Next(1, 40)}" : string.Empty)}";
            var city = Pick(random, Cities);
            var zip = (random.Next(77001, 77099) + (city.EndsWith("MO", StringComparison.Ordinal) ? -12000 : 0)).ToString(CultureInfo.InvariantCulture);
            var siblings = random.NextDouble() < 0.25 ? random.Next(2, 4) : 1;
            var familyNames = new HashSet<string>(StringComparer.Ordinal);
            for (var s = 0; s < siblings && entity < count; s++, entity++)
            {
                var female = random.NextDouble() < 0.5;
                var names = female ? FemaleNames : MaleNames;
                string given;
                do
                {
                    // Siblings do not share a first given name; "María X" sisters do share "María".
                    given = random.NextDouble() < 0.35 ? $"{Skewed(random, names)} {Pick(random, names)}" : Skewed(random, names);
                    if (female && random.NextDouble() < 0.15)
                    {
                        given = $"María {Pick(random, FemaleNames)}";
                    }
                }
                while (!familyNames.Add(given.Split(' ')[0] == "María" ? given : given.Split(' ')[0]));

                var birth = new DateOnly(1960, 1, 1).AddDays(random.Next(0, 365 * 45));
                var ssn = random.NextDouble() < 0.5 ? random.Next(100_000_000, 899_999_999).ToString(CultureInfo.InvariantCulture) : string.Empty;
                var original = new Person(given, $"{paternal} {maternal}", birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture), ssn, address, city, zip);
                rows.Add(original.Row($"rec-{entity}-org"));
                var duplicates = random.NextDouble() < 0.6 ? random.Next(1, 4) : 0;
                for (var d = 0; d < duplicates; d++)
                {
                    rows.Add(Corrupt(random, original, paternal, maternal).Row($"rec-{entity}-dup-{d}"));
                }
            }
        }

        var shuffled = rows.OrderBy(_ => random.Next()).ToList();
        var text = new StringBuilder("rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id\n");
        foreach (var row in shuffled)
        {
            text.AppendLine(string.Join(", ", row));
        }

        File.WriteAllText(args.Required("out"), text.ToString());
        Console.WriteLine($"{shuffled.Count} records for {count} people written to {args.Required("out")}");
        return 0;
    }

    private sealed record Person(string Given, string Surname, string Birth, string Ssn, string Street, string City, string Zip)
    {
        public string[] Row(string id)
        {
            var number = Street.Split(' ')[0];
            var rest = Street[(number.Length + 1)..];
            var (city, state) = (City[..^3], City[^2..]);
            return [id, Clean(Given), Clean(Surname), number, Clean(rest), string.Empty, Clean(city), Zip, state, Birth, Ssn];
        }

        // The FEBRL format has no quoting: commas inside a value would shift columns.
        private static string Clean(string value) => value.Replace(",", " ", StringComparison.Ordinal).Trim();
    }

    private static Person Corrupt(Random random, Person person, string paternal, string maternal)
    {
        var given = person.Given;
        var surname = person.Surname;
        var birth = person.Birth;
        var ssn = person.Ssn;
        var street = person.Street;
        var changes = random.Next(1, 4);
        for (var c = 0; c < changes; c++)
        {
            switch (random.Next(16))
            {
                case 0: surname = paternal; break;
                case 1: surname = $"{paternal}-{maternal}".ToUpperInvariant(); break;
                case 2: surname = $"{paternal} {maternal}".Replace(" ", string.Empty, StringComparison.Ordinal); break;
                case 3:
                    // The whole name in the given-name field (the FEBRL layout cannot carry "Surname, Given").
                    given = $"{given} {surname}";
                    surname = string.Empty;
                    break;
                case 4: given = given.Split(' ')[0]; break;
                case 5:
                    var parts = given.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    given = parts.Length > 1 ? $"{parts[0]} {parts[1][0]}" : given;
                    break;
                case 6:
                    var first = given.Split(' ')[0];
                    given = Nicknames.TryGetValue(first, out var nicks) ? Pick(random, nicks) : given;
                    break;
                case 7: given = Strip(given); surname = Strip(surname); break;
                case 8: (given, surname) = (surname, given); break;
                case 9: surname = Typo(random, surname); break;
                case 10: given = Typo(random, given); break;
                case 11 when birth.Length == 8:
                    var day = birth[6..8];
                    birth = int.Parse(day, CultureInfo.InvariantCulture) <= 12 ? birth[..4] + day + birth[4..6] : Typo(random, birth, digits: true);
                    break;
                case 12: birth = random.NextDouble() < 0.5 && birth.Length >= 4 ? birth[..4] : string.Empty; break;
                case 13: ssn = random.NextDouble() < 0.7 ? string.Empty : Typo(random, ssn, digits: true); break;
                case 14:
                    street = street.Replace("Street", "St", StringComparison.Ordinal).Replace("Boulevard", "Blvd", StringComparison.Ordinal)
                        .Replace("Apartment", "#", StringComparison.Ordinal).Replace("Avenida", "Ave", StringComparison.Ordinal)
                        .Replace("Road", "Rd", StringComparison.Ordinal).Replace("Drive", "Dr", StringComparison.Ordinal);
                    break;
                default: birth = Typo(random, birth, digits: true); break;
            }
        }

        return person with { Given = given, Surname = surname, Birth = birth, Ssn = ssn, Street = street };
    }

    private static string Typo(Random random, string value, bool digits = false)
    {
        if (value.Length < 3)
        {
            return value;
        }

        var chars = value.ToCharArray();
        var i = random.Next(1, chars.Length - 1);
        switch (random.Next(3))
        {
            case 0 when !char.IsWhiteSpace(chars[i]) && !char.IsWhiteSpace(chars[i + 1]):
                (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
                return new string(chars);
            case 1 when digits && char.IsAsciiDigit(chars[i]):
                chars[i] = (char)('0' + random.Next(10));
                return new string(chars);
            case 2 when !digits && char.IsLetter(chars[i]):
                chars[i] = (char)('a' + random.Next(26));
                return new string(chars);
            default:
                return digits ? value : value.Remove(i, 1);
        }
    }

    private static string Strip(string value)
    {
        var decomposed = value.Normalize(NormalizationForm.FormD);
        return new string(decomposed.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark).ToArray()).Normalize(NormalizationForm.FormC);
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    // Zipf-like: the first entries are far more common, as common surnames and given names are.
    private static string Skewed(Random random, string[] values) => values[(int)Math.Floor(values.Length * Math.Pow(random.NextDouble(), 2.2))];
}
