using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingHub.Identity.Data.Migrations
{
    /// <inheritdoc />
    public partial class LastTotpStep : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "last_totp_step",
                table: "users",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "last_totp_step",
                table: "users");
        }
    }
}
