using System;
using Microsoft.EntityFrameworkCore.Migrations;
using SharingHub.Gateway.Feeds;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class AgencyOnboarding : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "disabled_at",
                table: "agencies",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "agency_broker_access",
                columns: table => new
                {
                    agency_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    user_name = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    alert_queue = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    generation = table.Column<long>(type: "bigint", nullable: false),
                    observed_generation = table.Column<long>(type: "bigint", nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    state_detail = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    observed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_agency_broker_access", x => x.agency_code);
                    table.ForeignKey(
                        name: "fk_agency_broker_access_agencies_agency_code",
                        column: x => x.agency_code,
                        principalTable: "agencies",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            // The agencies registered before the registry (./hub agency add's old path) are adopted: the provisioner
            // takes over their broker users (keeping their passwords) and brings their permissions and queues to the
            // definition, as for an agency registered through the API.
            migrationBuilder.Sql("""
                INSERT INTO agency_broker_access (agency_code, enabled, user_name, alert_queue, generation, observed_generation, state)
                SELECT code, true, code, 'sharinghub-alerts.' || code, 1, 0, 'Pending' FROM agencies
                ON CONFLICT DO NOTHING;
                """);
            // The provisioner listens for this, so a change is reconciled at once rather than at its next poll.
            migrationBuilder.AddChangeNotifyTrigger("agency_broker_access");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropChangeNotifyTrigger("agency_broker_access");
            migrationBuilder.DropTable(
                name: "agency_broker_access");

            migrationBuilder.DropColumn(
                name: "disabled_at",
                table: "agencies");
        }
    }
}
