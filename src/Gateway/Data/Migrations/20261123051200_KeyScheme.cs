using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class KeyScheme : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "key_scheme",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    rekeying_to = table.Column<int>(type: "integer", nullable: true),
                    rekeyed_through = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_key_scheme", x => x.id);
                    table.CheckConstraint("ck_key_scheme_single_row", "id = 1");
                });

            migrationBuilder.InsertData(
                table: "key_scheme",
                columns: new[] { "id", "rekeyed_through", "rekeying_to", "version" },
                values: new object[] { 1, 0L, null, 0 });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "key_scheme");
        }
    }
}
