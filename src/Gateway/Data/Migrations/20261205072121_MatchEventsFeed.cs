using Microsoft.EntityFrameworkCore.Migrations;
using SharingHub.Gateway.Feeds;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class MatchEventsFeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "tx",
                table: "match_events",
                type: "bigint",
                nullable: false,
                defaultValueSql: "pg_current_xact_id()::text::bigint");

            migrationBuilder.CreateIndex(
                name: "ix_match_events_tx_id",
                table: "match_events",
                columns: new[] { "tx", "id" });

            // Subscribers on every replica are woken at each commit (ADR-009, "The change feed").
            migrationBuilder.CreateNotifyFunction();
            migrationBuilder.AddNotifyTrigger("match_events");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropNotifyTrigger("match_events");
            migrationBuilder.DropNotifyFunction();

            migrationBuilder.DropIndex(
                name: "ix_match_events_tx_id",
                table: "match_events");

            migrationBuilder.DropColumn(
                name: "tx",
                table: "match_events");
        }
    }
}
