using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class StopKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "stop_keys",
                columns: table => new
                {
                    key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    kind = table.Column<short>(type: "smallint", nullable: false),
                    agency_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    at_least = table.Column<int>(type: "integer", nullable: false),
                    found_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stop_keys", x => new { x.key, x.kind, x.agency_code });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "stop_keys");
        }
    }
}
