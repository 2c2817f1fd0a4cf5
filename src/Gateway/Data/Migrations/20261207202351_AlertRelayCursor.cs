using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class AlertRelayCursor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alert_relay_cursor",
                columns: table => new
                {
                    id = table.Column<short>(type: "smallint", nullable: false),
                    tx = table.Column<long>(type: "bigint", nullable: false),
                    alert_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_relay_cursor", x => x.id);
                    table.CheckConstraint("ck_alert_relay_cursor_one_row", "id = 1");
                });

            // The cursor starts just before the first undelivered alert in (tx, id) order, or after the last alert when
            // all were delivered. Alerts delivered after that first one are published once more, under the same message
            // ids, which the connector's drain drops.
            migrationBuilder.Sql("""
                INSERT INTO alert_relay_cursor (id, tx, alert_id)
                SELECT 1, coalesce(u.tx, a.tx, 0), coalesce(u.id - 1, a.id, 0)
                FROM (SELECT 1) one
                LEFT JOIN LATERAL (SELECT tx, id FROM alerts WHERE delivered_at IS NULL ORDER BY tx, id LIMIT 1) u ON true
                LEFT JOIN LATERAL (SELECT tx, id FROM alerts ORDER BY tx DESC, id DESC LIMIT 1) a ON true;
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

            // What the cursor passed was delivered; when is not known.
            migrationBuilder.Sql("""
                UPDATE alerts a SET delivered_at = a.raised_at FROM alert_relay_cursor c
                WHERE a.tx < c.tx OR (a.tx = c.tx AND a.id <= c.alert_id);
                """);

            migrationBuilder.CreateIndex(
                name: "ix_alerts_undelivered",
                table: "alerts",
                column: "id",
                filter: "delivered_at IS NULL");

            migrationBuilder.DropTable(
                name: "alert_relay_cursor");
        }
    }
}
