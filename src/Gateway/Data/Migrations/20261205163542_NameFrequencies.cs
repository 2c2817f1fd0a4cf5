using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class NameFrequencies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "name_frequencies",
                columns: table => new
                {
                    hash = table.Column<long>(type: "bigint", nullable: false),
                    count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_name_frequencies", x => x.hash);
                });

            migrationBuilder.CreateTable(
                name: "name_frequency_deltas",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    hash = table.Column<long>(type: "bigint", nullable: false),
                    delta = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_name_frequency_deltas", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "name_frequency_sources",
                columns: table => new
                {
                    record_id = table.Column<long>(type: "bigint", nullable: false),
                    hashes = table.Column<long[]>(type: "bigint[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_name_frequency_sources", x => x.record_id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "name_frequencies");

            migrationBuilder.DropTable(
                name: "name_frequency_deltas");

            migrationBuilder.DropTable(
                name: "name_frequency_sources");
        }
    }
}
