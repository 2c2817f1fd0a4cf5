using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using NpgsqlTypes;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class Records : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "records",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    agency_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    local_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    withdrawn_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    first_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_message_id = table.Column<Guid>(type: "uuid", nullable: true),
                    subject_ref = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    sensitivity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    confidence = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    control_official_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    control_official_channel = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    case_tracking_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    justification = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    review_date = table.Column<DateOnly>(type: "date", nullable: true),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    given_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    surname = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    aliases = table.Column<string[]>(type: "text[]", nullable: true),
                    birth_year = table.Column<short>(type: "smallint", nullable: true),
                    birth_month = table.Column<short>(type: "smallint", nullable: true),
                    birth_day = table.Column<short>(type: "smallint", nullable: true),
                    sex = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    identifiers = table.Column<string>(type: "jsonb", nullable: true),
                    phone_raw = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    phone_e164 = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    phone_validity = table.Column<NpgsqlRange<DateOnly>>(type: "daterange", nullable: true),
                    address = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    latitude = table.Column<double>(type: "double precision", nullable: true),
                    longitude = table.Column<double>(type: "double precision", nullable: true),
                    radius_meters = table.Column<double>(type: "double precision", nullable: true),
                    operation_window = table.Column<NpgsqlRange<DateTime>>(type: "tstzrange", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_records", x => x.id);
                    table.ForeignKey(
                        name: "fk_records_agencies_agency_code",
                        column: x => x.agency_code,
                        principalTable: "agencies",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_records_agency_code_kind_local_id",
                table: "records",
                columns: new[] { "agency_code", "kind", "local_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_records_agency_code_subject_ref",
                table: "records",
                columns: new[] { "agency_code", "subject_ref" },
                filter: "subject_ref IS NOT NULL");

            // Hand-written: what EF does not model. PostGIS is installed by ./hub infra (and by the operator in
            // production); the geography column is derived from latitude/longitude so writers never set it.
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS postgis;");
            migrationBuilder.Sql("""
                ALTER TABLE records ADD COLUMN geog geography(Point, 4326) GENERATED ALWAYS AS (
                    CASE WHEN latitude IS NOT NULL AND longitude IS NOT NULL
                         THEN ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography END) STORED;
                CREATE INDEX ix_records_geog ON records USING gist (geog) WHERE geog IS NOT NULL;
                ALTER TABLE records
                    ADD CONSTRAINT ck_records_kind CHECK (kind IN ('Person', 'Phone', 'Location')),
                    ADD CONSTRAINT ck_records_version CHECK (version >= 1),
                    ADD CONSTRAINT ck_records_live_labels CHECK (
                        withdrawn_at IS NOT NULL OR (sensitivity IS NOT NULL AND control_official_name IS NOT NULL AND control_official_channel IS NOT NULL)),
                    ADD CONSTRAINT ck_records_live_person CHECK (withdrawn_at IS NOT NULL OR kind <> 'Person' OR role IS NOT NULL),
                    ADD CONSTRAINT ck_records_live_phone CHECK (withdrawn_at IS NOT NULL OR kind <> 'Phone' OR phone_e164 IS NOT NULL),
                    ADD CONSTRAINT ck_records_live_location CHECK (
                        withdrawn_at IS NOT NULL OR kind <> 'Location' OR address IS NOT NULL OR latitude IS NOT NULL),
                    ADD CONSTRAINT ck_records_operation CHECK (
                        operation_window IS NULL OR (radius_meters > 0 AND latitude IS NOT NULL AND NOT isempty(operation_window)));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "records");
        }
    }
}
