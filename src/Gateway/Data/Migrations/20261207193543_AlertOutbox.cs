using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class AlertOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alert_outbox",
                columns: table => new
                {
                    alert_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_outbox", x => x.alert_id);
                    table.ForeignKey(
                        name: "fk_alert_outbox_alerts_alert_id",
                        column: x => x.alert_id,
                        principalTable: "alerts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            // What was undelivered stays so: the relay publishes it from the outbox.
            migrationBuilder.Sql("INSERT INTO alert_outbox (alert_id) SELECT id FROM alerts WHERE delivered_at IS NULL ORDER BY id;");
            // Every alert inserted, whatever raised it, is queued in the raising statement (alerts_outbox).
            migrationBuilder.Sql("""
                CREATE FUNCTION hub_alert_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO alert_outbox (alert_id) SELECT id FROM inserted ORDER BY id;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER alerts_outbox AFTER INSERT ON alerts
                    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION hub_alert_outbox();
                """);

            migrationBuilder.DropIndex(
                name: "ix_alerts_undelivered",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "delivered_at",
                table: "alerts");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "delivered_at",
                table: "alerts",
                type: "timestamp with time zone",
                nullable: true);

            // Every alert no longer in the outbox was delivered; the time of it was not kept.
            migrationBuilder.Sql("UPDATE alerts a SET delivered_at = a.raised_at WHERE NOT EXISTS (SELECT 1 FROM alert_outbox o WHERE o.alert_id = a.id);");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS alerts_outbox ON alerts; DROP FUNCTION IF EXISTS hub_alert_outbox();");

            migrationBuilder.DropTable(
                name: "alert_outbox");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_undelivered",
                table: "alerts",
                column: "id",
                filter: "delivered_at IS NULL");
        }
    }
}
