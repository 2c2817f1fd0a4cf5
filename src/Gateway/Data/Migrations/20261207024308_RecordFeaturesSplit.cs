using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingHub.Gateway.Data.Migrations
{
    /// <summary>
    /// No change to the database: <c>records.features</c> moved from <c>StoredRecord</c> to its own entity type on the
    /// same table (<c>StoredRecordFeatures</c>), so that reading a record does not read its features.
    /// </summary>
    public partial class RecordFeaturesSplit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
