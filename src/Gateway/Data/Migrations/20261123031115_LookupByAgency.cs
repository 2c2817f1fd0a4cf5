using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class LookupByAgency : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_record_keys_lookup",
                table: "record_keys");

            migrationBuilder.CreateIndex(
                name: "ix_record_keys_lookup",
                table: "record_keys",
                columns: new[] { "key", "kind", "agency_code" })
                .Annotation("Npgsql:IndexInclude", new[] { "record_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_record_keys_lookup",
                table: "record_keys");

            migrationBuilder.CreateIndex(
                name: "ix_record_keys_lookup",
                table: "record_keys",
                columns: new[] { "key", "kind" })
                .Annotation("Npgsql:IndexInclude", new[] { "agency_code", "record_id" });
        }
    }
}
