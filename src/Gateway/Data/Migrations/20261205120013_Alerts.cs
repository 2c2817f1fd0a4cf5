using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SharingHub.Gateway.Feeds;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class Alerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "contest_note",
                table: "adjudications",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "contested_by",
                table: "adjudications",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    tx = table.Column<long>(type: "bigint", nullable: false, defaultValueSql: "pg_current_xact_id()::text::bigint"),
                    match_id = table.Column<long>(type: "bigint", nullable: false),
                    agency_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    audience = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    fingerprint = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    band = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    score = table.Column<double>(type: "double precision", nullable: true),
                    raised_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    acknowledged_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    acknowledged_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    escalated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    relates_to_id = table.Column<long>(type: "bigint", nullable: true),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alerts", x => x.id);
                    table.ForeignKey(
                        name: "fk_alerts_agencies_agency_code",
                        column: x => x.agency_code,
                        principalTable: "agencies",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_alerts_alerts_relates_to_id",
                        column: x => x.relates_to_id,
                        principalTable: "alerts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_alerts_matches_match_id",
                        column: x => x.match_id,
                        principalTable: "matches",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_agency_code_id",
                table: "alerts",
                columns: new[] { "agency_code", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_match_id_agency_code_audience_kind_fingerprint",
                table: "alerts",
                columns: new[] { "match_id", "agency_code", "audience", "kind", "fingerprint" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_alerts_relates_to_id",
                table: "alerts",
                column: "relates_to_id");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_tx_id",
                table: "alerts",
                columns: new[] { "tx", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_undelivered",
                table: "alerts",
                column: "id",
                filter: "delivered_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_unescalated",
                table: "alerts",
                column: "raised_at",
                filter: "status = 'Open' AND escalated_at IS NULL");

            // alertRaised subscribers on every replica are woken at each commit (ADR-009, "The change feed").
            migrationBuilder.AddNotifyTrigger("alerts");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropNotifyTrigger("alerts");

            migrationBuilder.DropTable(
                name: "alerts");

            migrationBuilder.DropColumn(
                name: "contest_note",
                table: "adjudications");

            migrationBuilder.DropColumn(
                name: "contested_by",
                table: "adjudications");
        }
    }
}
