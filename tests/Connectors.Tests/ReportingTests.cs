using SharingHub.Connectors.Cli;
using SharingHub.Connectors.Publishing;
using SharingHub.Connectors.Reporting;
using SharingHub.Connectors.Sanitizing;

namespace SharingHub.Connectors.Tests;

/// <summary>The reject report, the exit code and the confirmed-progress store.</summary>
public sealed class ReportingTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Add_ProblemsAndOmissions_HeaderThenOneCsvLineEachWithItsAction()
    {
        var path = _folder.Combine("export.csv.rejects.csv");
        using (var report = new RejectReport(path))
        {
            report.Add(2, "person", "P-2", new Problem("labels.justification", "a suspect needs a justification (28 CFR 23 reasonable suspicion)", "required"), ReportAction.Rejected);
            report.Add(3, null, null, new Problem(Problem.RowField, "has 3 fields, the header has 2"), ReportAction.Rejected);
            report.Add(4, "person", "P-4", new Problem("birthDate", "is not a date (yyyy, yyyy-MM or yyyy-MM-dd)", "not_a_date"), ReportAction.Omitted);
            Assert.Equal(3, report.Lines);
        }

        Assert.Equal(
        [
            "row,kind,localId,field,code,reason,action",
            "2,person,P-2,labels.justification,required,a suspect needs a justification (28 CFR 23 reasonable suspicion),rejected",
            "3,,,(row),unreadable,\"has 3 fields, the header has 2\",rejected",
            "4,person,P-4,birthDate,not_a_date,\"is not a date (yyyy, yyyy-MM or yyyy-MM-dd)\",omitted",
        ], File.ReadAllLines(path));
    }

    [Fact]
    public void Add_LocalIdWithQuotesAndCommas_QuotedAsCsv()
    {
        var path = _folder.Combine("r.csv");
        using (var report = new RejectReport(path))
        {
            report.Add(1, "phone", "T-\"7\",8", new Problem("number", "is required"), ReportAction.Rejected);
        }

        Assert.Equal("1,phone,\"T-\"\"7\"\",8\",number,unreadable,is required,rejected", File.ReadAllLines(path)[1]);
    }

    [Fact]
    public void Constructor_NoProblems_NoFileAndAStaleReportRemoved()
    {
        var path = _folder.File("export.csv.rejects.csv", "row,kind,localId,field,reason\n9,person,P-9,role,is required\n");

        using (var report = new RejectReport(path))
        {
            Assert.Equal(0, report.Lines);
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Add_ReportInAFolderThatDoesNotExistYet_FolderCreated()
    {
        var path = _folder.Combine(Path.Combine("rejects", "nested", "r.csv"));
        using (var report = new RejectReport(path))
        {
            report.Add(1, "person", "P-1", new Problem("role", "is required"), ReportAction.Rejected);
        }

        Assert.True(File.Exists(path));
    }

    [Fact]
    public void For_Fatal_One()
    {
        Assert.Equal(1, ExitCodes.For(fatal: true, Counts(rejectedRecords: 0)));
        Assert.Equal(1, ExitCodes.For(fatal: true, Counts(rejectedRecords: 3)));
        Assert.Equal(1, ExitCodes.For(fatal: true, null));
    }

    [Fact]
    public void For_SomeRecordsOrRowsRejected_Two()
    {
        Assert.Equal(2, ExitCodes.For(fatal: false, Counts(rejectedRecords: 1)));
        Assert.Equal(2, ExitCodes.For(fatal: false, Counts(rejectedRows: 1)));
    }

    [Fact]
    public void For_NothingRejected_Zero()
    {
        Assert.Equal(0, ExitCodes.For(fatal: false, Counts()));
        Assert.Equal(0, ExitCodes.For(fatal: false, null));
    }

    [Fact]
    public void For_OnlyValuesOmitted_Zero()
    {
        Assert.Equal(0, ExitCodes.For(fatal: false, Counts(omittedValues: 2)));
        Assert.Equal(2, ExitCodes.For(fatal: false, Counts(rejectedRecords: 1, omittedValues: 2)));
    }

    private static PublishCounts Counts(int rejectedRecords = 0, int rejectedRows = 0, int omittedValues = 0)
    {
        var counts = new PublishCounts();
        counts.RowRead();
        counts.RecordValid();
        for (var i = 0; i < omittedValues; i++)
        {
            counts.ValueOmitted();
        }
        for (var i = 0; i < rejectedRecords; i++)
        {
            counts.RecordRejected();
        }
        for (var i = 0; i < rejectedRows; i++)
        {
            counts.RowRejected();
        }
        return counts;
    }

    [Fact]
    public void Save_ThenLoad_SameProgress()
    {
        var store = new ProgressStore(_folder.Combine("state"));
        var progress = new SourceProgress("/exports/a.csv", "abc", 4000, "2026-01-05T10:00:00.0000000+00:00");

        store.Save("file|TX1|/exports/a.csv", progress);

        Assert.Equal(progress, store.Load("file|TX1|/exports/a.csv"));
        Assert.Null(store.Load("file|TX2|/exports/a.csv"));
        Assert.Empty(Directory.EnumerateFiles(store.Directory, "*.tmp"));
    }

    [Fact]
    public void Delete_SavedProgress_Gone()
    {
        var store = new ProgressStore(_folder.Combine("state"));
        store.Save("k", new SourceProgress("s", "f", 1));

        store.Delete("k");

        Assert.Null(store.Load("k"));
    }

    [Fact]
    public void Load_CorruptFile_NoProgressSoEverythingIsSentAgain()
    {
        var store = new ProgressStore(_folder.Combine("state"));
        store.Save("k", new SourceProgress("s", "f", 1));
        File.WriteAllText(Directory.EnumerateFiles(store.Directory).Single(), "{\"source\":");

        Assert.Null(store.Load("k"));
    }

    [Fact]
    public void Fingerprint_ContentChanged_Differs()
    {
        var path = _folder.File("a.jsonl", "one\n");
        var before = ProgressStore.Fingerprint(path);
        Assert.Equal(before, ProgressStore.Fingerprint(path));

        File.AppendAllText(path, "two\n");

        Assert.NotEqual(before, ProgressStore.Fingerprint(path));
    }
}
