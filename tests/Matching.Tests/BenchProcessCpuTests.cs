using System.Diagnostics;
using System.Security.Cryptography;
using SharingHub.Bench.Ingest;

namespace SharingHub.Matching.Tests;

/// <summary>
/// <c>bench ingest</c>'s CPU time per record (bench/Bench/Ingest/ProcessCpu.cs, linked into this project): it reads
/// <c>/proc</c> as the kernel writes it, and counts what a process used.
/// </summary>
public sealed class BenchProcessCpuTests
{
    [Fact]
    public void ParseStat_CommandWithSpacesAndParentheses_ParentAndTicksOfAllFourTimes()
    {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
        var line = "4242 (postgres: a (b) c) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 50 30 20 20 0 1 0 100 0 0";

        var stat = ProcessCpu.ParseStat(line);

        Assert.Equal((17, 3.5), stat);
    }

    [Theory]
    [InlineData("Gateway")]
    [InlineData("Gateway=")]
    [InlineData("Gateway=abc")]
    [InlineData("=12")]
    public void Parse_NotNameEqualsPid_SaysWhich(string spec)
    {
        var error = Assert.Throws<ArgumentException>(() => ProcessCpu.Parse(spec));

        Assert.Contains($"'{spec}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_ThisProcessAfterWork_CountsWhatTheRuntimeCounts()
    {
        Assert.SkipUnless(Directory.Exists("/proc"), "no /proc (not Linux)");
        var cpu = ProcessCpu.Parse($"self={Environment.ProcessId}")!;
        using var self = Process.GetCurrentProcess();
        var before = cpu.Sample()["self"];
        var start = self.TotalProcessorTime;

        var data = new byte[1 << 20];
        do
        {
            SHA256.HashData(data);
            self.Refresh();
        }
        while (self.TotalProcessorTime - start < TimeSpan.FromMilliseconds(300));
        var after = cpu.Sample()["self"];

        // The runtime says at least 0.3 s were used; /proc counts in 10 ms ticks, and other threads of the test host add.
        Assert.InRange(after - before, 0.28, 60);
    }
}
