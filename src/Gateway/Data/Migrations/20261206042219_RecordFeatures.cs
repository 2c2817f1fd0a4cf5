using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class RecordFeatures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Precomputed matching features (issue 14, ADR-005). Existing rows start without them: the matching engine
            // computes them, so SQL cannot. A row without features is normalized as before when it is first loaded,
            // and its features are written back then (MatchableLoader.LoadAsync); no match is missed meanwhile.
            migrationBuilder.AddColumn<byte[]>(
                name: "features",
                table: "records",
                type: "bytea",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "features",
                table: "records");
        }
    }
}
