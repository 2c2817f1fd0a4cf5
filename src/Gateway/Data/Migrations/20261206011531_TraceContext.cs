using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class TraceContext : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                table: "match_pending",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                table: "alerts",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "trace_parent",
                table: "match_pending");

            migrationBuilder.DropColumn(
                name: "trace_parent",
                table: "alerts");
        }
    }
}
