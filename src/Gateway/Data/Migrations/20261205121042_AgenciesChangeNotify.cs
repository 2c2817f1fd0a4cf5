using Microsoft.EntityFrameworkCore.Migrations;
using SharingHub.Gateway.Feeds;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class AgenciesChangeNotify : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Every replica's agency directory is told of a change to the table (AgencyDirectory).
            migrationBuilder.AddChangeNotifyTrigger("agencies");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropChangeNotifyTrigger("agencies");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS hub_table_changed_notify();");
        }
    }
}
