using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SharingHub.Bench.Ingest;

/// <summary>
/// Writes N synthetic records in the canonical JSON-lines format: persons, their phones and their places, about
/// 400 bytes a line. Deterministic for a given seed.
/// </summary>
internal static class SyntheticRecords
{
    private static readonly string[] Given = ["María", "José", "Juan", "Ana", "Luis", "Carmen", "Jorge", "Lucía", "Miguel", "Rosa", "James", "Mary", "Robert", "Linda", "David", "Sarah"];
    private static readonly string[] Surnames = ["García", "Martínez", "López", "Hernández", "González", "Rodríguez", "Pérez", "Sánchez", "Ramírez", "Torres", "Smith", "Johnson", "Williams", "Brown", "Jones", "Davis"];
    private static readonly string[] Roles = ["suspect", "victim", "witness", "associate", "unknown"];
    private static readonly string[] Streets = ["Main St", "Navigation Blvd", "Harrisburg Blvd", "Airline Dr", "Bissonnet St", "Long Point Rd"];

    public static void Write(string path, int count, int seed = 4242, string prefix = "")
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        var person = 0;
        for (var i = 0; i < count; i++)
        {
            var slot = i % 10;
            var labels = new Dictionary<string, object?>
            {
                ["sensitivity"] = (i % 3) switch { 0 => "open", 1 => "agencyOnly", _ => "restricted" },
                ["confidence"] = "medium",
                ["controlOfficial"] = new { name = "Det. Bench Runner", channel = "+1 713 555 0100" },
                ["caseRef"] = string.Create(CultureInfo.InvariantCulture, $"BENCH-{i / 10:D6}"),
            };
            object line;
            if (slot < 5)
            {
                person = i;
                var role = Roles[random.Next(Roles.Length)];
                if (role == "suspect")
                {
                    labels["justification"] = "Synthetic benchmark subject";
                }
                line = new
                {
                    kind = "person",
                    localId = $"{prefix}P-{i}",
                    version = 1,
                    role,
                    givenName = Given[random.Next(Given.Length)],
                    surname = $"{Surnames[random.Next(Surnames.Length)]} {Surnames[random.Next(Surnames.Length)]}",
                    birthDate = string.Create(CultureInfo.InvariantCulture, $"{1960 + random.Next(45)}-{1 + random.Next(12):D2}-{1 + random.Next(28):D2}"),
                    sex = random.Next(2) == 0 ? "F" : "M",
                    labels,
                };
            }
            else if (slot < 8)
            {
                line = new
                {
                    kind = "phone",
                    localId = $"{prefix}T-{i}",
                    version = 1,
                    subjectRef = $"{prefix}P-{person}",
                    number = string.Create(CultureInfo.InvariantCulture, $"(713) {200 + random.Next(700)}-{random.Next(10000):D4}"),
                    validFrom = "2025-01-01",
                    labels,
                };
            }
            else
            {
                line = new
                {
                    kind = "location",
                    localId = $"{prefix}L-{i}",
                    version = 1,
                    subjectRef = $"{prefix}P-{person}",
                    address = string.Create(CultureInfo.InvariantCulture, $"{100 + random.Next(9000)} {Streets[random.Next(Streets.Length)]}, Houston, TX 770{random.Next(100):D2}"),
                    lat = Math.Round(29.6 + random.NextDouble() * 0.3, 5),
                    lon = Math.Round(-95.5 + random.NextDouble() * 0.3, 5),
                    labels,
                };
            }
            writer.WriteLine(JsonSerializer.Serialize(line));
        }
    }
}
