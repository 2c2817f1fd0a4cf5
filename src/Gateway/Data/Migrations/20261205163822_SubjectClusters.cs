using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class SubjectClusters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cluster_members",
                columns: table => new
                {
                    record_id = table.Column<long>(type: "bigint", nullable: false),
                    cluster_id = table.Column<long>(type: "bigint", nullable: false),
                    agency_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cluster_members", x => x.record_id);
                    table.ForeignKey(
                        name: "fk_cluster_members_records_record_id",
                        column: x => x.record_id,
                        principalTable: "records",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cluster_pending",
                columns: table => new
                {
                    record_id = table.Column<long>(type: "bigint", nullable: false),
                    queued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cluster_pending", x => x.record_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_cluster_members_cluster_id_agency_code",
                table: "cluster_members",
                columns: new[] { "cluster_id", "agency_code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_cluster_pending_queued_at",
                table: "cluster_pending",
                column: "queued_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cluster_members");

            migrationBuilder.DropTable(
                name: "cluster_pending");
        }
    }
}
