using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class MatchesByAgency : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_matches_agency_a_id",
                table: "matches",
                columns: new[] { "agency_a", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_matches_agency_b_id",
                table: "matches",
                columns: new[] { "agency_b", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_matches_agency_a_id",
                table: "matches");

            migrationBuilder.DropIndex(
                name: "ix_matches_agency_b_id",
                table: "matches");
        }
    }
}
