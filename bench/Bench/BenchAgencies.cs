using Npgsql;

namespace SharingHub.Bench;

/// <summary>The benchmark agencies' data, removed after a run.</summary>
internal static class BenchAgencies
{
    /// <summary>
    /// Deletes everything the agencies left in the hub's database: blocking keys (which have no foreign key to their
    /// records, so nothing else removes them), pending markers, matches, records and the agencies themselves.
    /// </summary>
    public static async Task DeleteAsync(NpgsqlDataSource data, params string[] codes)
    {
        await using var command = data.CreateCommand("""
            DELETE FROM record_keys WHERE agency_code = ANY(@codes);
            DELETE FROM match_pending p USING records r WHERE r.id = p.record_id AND r.agency_code = ANY(@codes);
            DELETE FROM matches WHERE agency_a = ANY(@codes) OR agency_b = ANY(@codes);
            DELETE FROM records WHERE agency_code = ANY(@codes);
            DELETE FROM agencies WHERE code = ANY(@codes);
            """);
        command.CommandTimeout = 600;
        command.Parameters.AddWithValue("codes", codes);
        await command.ExecuteNonQueryAsync();
    }
}
