using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class Deconfliction : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "match_pending",
                columns: table => new
                {
                    record_id = table.Column<long>(type: "bigint", nullable: false),
                    queued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_match_pending", x => x.record_id);
                });

            migrationBuilder.CreateTable(
                name: "matches",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    record_a_id = table.Column<long>(type: "bigint", nullable: false),
                    record_b_id = table.Column<long>(type: "bigint", nullable: false),
                    agency_a = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    agency_b = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    subject_a_id = table.Column<long>(type: "bigint", nullable: true),
                    subject_b_id = table.Column<long>(type: "bigint", nullable: true),
                    score = table.Column<double>(type: "double precision", nullable: true),
                    band = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    explanation = table.Column<string>(type: "jsonb", nullable: false),
                    parameters_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    first_found_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    scored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    close_reason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    adjudication = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    suppressed = table.Column<bool>(type: "boolean", nullable: false),
                    dismissed_fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_matches", x => x.id);
                    table.CheckConstraint("ck_matches_pair_order", "record_a_id < record_b_id");
                    table.ForeignKey(
                        name: "fk_matches_records_record_a_id",
                        column: x => x.record_a_id,
                        principalTable: "records",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_matches_records_record_b_id",
                        column: x => x.record_b_id,
                        principalTable: "records",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "record_keys",
                columns: table => new
                {
                    key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    kind = table.Column<short>(type: "smallint", nullable: false),
                    record_id = table.Column<long>(type: "bigint", nullable: false),
                    agency_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    subject_id = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_record_keys", x => new { x.record_id, x.kind, x.key });
                });

            migrationBuilder.CreateTable(
                name: "adjudications",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    match_id = table.Column<long>(type: "bigint", nullable: false),
                    decision = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    agency_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    user_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    note = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    lifted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_adjudications", x => x.id);
                    table.ForeignKey(
                        name: "fk_adjudications_agencies_agency_code",
                        column: x => x.agency_code,
                        principalTable: "agencies",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_adjudications_matches_match_id",
                        column: x => x.match_id,
                        principalTable: "matches",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "match_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    match_id = table.Column<long>(type: "bigint", nullable: false),
                    type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    dispatched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_match_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_match_events_matches_match_id",
                        column: x => x.match_id,
                        principalTable: "matches",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_adjudications_agency_code",
                table: "adjudications",
                column: "agency_code");

            migrationBuilder.CreateIndex(
                name: "ix_adjudications_match_id",
                table: "adjudications",
                column: "match_id");

            migrationBuilder.CreateIndex(
                name: "ix_match_events_match_id",
                table: "match_events",
                column: "match_id");

            migrationBuilder.CreateIndex(
                name: "ix_match_events_undispatched",
                table: "match_events",
                column: "id",
                filter: "dispatched_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_match_pending_queued_at",
                table: "match_pending",
                column: "queued_at");

            migrationBuilder.CreateIndex(
                name: "ix_matches_changed_at",
                table: "matches",
                column: "changed_at");

            migrationBuilder.CreateIndex(
                name: "ix_matches_record_a_id_record_b_id_kind",
                table: "matches",
                columns: new[] { "record_a_id", "record_b_id", "kind" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_matches_record_b_id",
                table: "matches",
                column: "record_b_id");

            migrationBuilder.CreateIndex(
                name: "ix_record_keys_lookup",
                table: "record_keys",
                columns: new[] { "key", "kind" })
                .Annotation("Npgsql:IndexInclude", new[] { "agency_code", "record_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "adjudications");

            migrationBuilder.DropTable(
                name: "match_events");

            migrationBuilder.DropTable(
                name: "match_pending");

            migrationBuilder.DropTable(
                name: "record_keys");

            migrationBuilder.DropTable(
                name: "matches");
        }
    }
}
