using SharingHub.Bench.Match;

namespace SharingHub.Matching.Tests;

/// <summary>
/// Issue 15 item 6: the benchmark's parallel loaders stop at the first failure and are awaited before the clean-up,
/// the first error is the one reported, and a clean-up's own failure comes after it, never instead of it
/// (bench/Bench/Match/FirstFailure.cs, linked into this project).
/// </summary>
public sealed class BenchFirstFailureTests
{
    [Fact]
    public async Task RunAll_OneWorkerFails_TheOthersAreStoppedAndAwaitedAndTheFirstErrorIsThrown()
    {
        var otherEnded = false;
        var workers = new List<Func<CancellationToken, Task>>
        {
            async _ =>
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
                throw new InvalidOperationException("first");
            },
            async stop =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, stop);
                }
                catch (OperationCanceledException)
                {
                    // A loader whose COPY is torn down by the stop: slow to end, and failing with an error of its own.
                    await Task.Delay(200, TestContext.Current.CancellationToken);
                    otherEnded = true;
                    throw new IOException("broken by the stop");
                }
            },
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => FirstFailure.RunAllAsync(workers, CancellationToken.None));

        Assert.Equal("first", error.Message);
        Assert.True(otherEnded, "RunAllAsync threw before the other worker had ended");
    }

    [Fact]
    public async Task RunAll_Cancelled_ThrowsCancellationOnlyOnceEveryWorkerEnded()
    {
        using var interrupt = new CancellationTokenSource();
        var ended = 0;
        var workers = Enumerable.Range(0, 3).Select(_ => (Func<CancellationToken, Task>)(async stop =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, stop);
            }
            catch (OperationCanceledException)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
                Interlocked.Increment(ref ended);
                // What a cancelled COPY may throw: not the cause, the interruption is.
                throw new IOException("connection broken by the cancellation");
            }
        })).ToList();

        var run = FirstFailure.RunAllAsync(workers, interrupt.Token);
        await interrupt.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(3, ended);
    }

    [Fact]
    public async Task RunAll_EveryWorkerSucceeds_Returns()
    {
        var done = 0;
        var workers = Enumerable.Range(0, 3).Select(_ => (Func<CancellationToken, Task>)(async _ =>
        {
            await Task.Yield();
            Interlocked.Increment(ref done);
        })).ToList();

        await FirstFailure.RunAllAsync(workers, CancellationToken.None);

        Assert.Equal(3, done);
    }

    [Fact]
    public async Task CleanUpInFinally_RunAndCleanUpFail_TheRunsErrorIsFirstAndTheCleanUpsAfterIt()
    {
        var run = new InvalidOperationException("loader failed");
        var cleanUp = new InvalidOperationException("violates foreign key constraint");

        // The benchmark's shape: the run's failure is kept, the clean-up runs in finally.
        async Task Benchmark()
        {
            Exception? failure = null;
            try
            {
                await Task.Yield();
                throw run;
            }
            catch (Exception error)
            {
                failure = error;
                throw;
            }
            finally
            {
                await FirstFailure.CleanUpAfterAsync(() => Task.FromException(cleanUp), failure);
            }
        }

        var error = await Assert.ThrowsAsync<CleanUpFailedException>(Benchmark);

        Assert.Same(run, error.RunFailure);
        Assert.Same(run, error.InnerException);
        Assert.Same(cleanUp, error.CleanUpFailure);
        Assert.Contains("violates foreign key constraint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CleanUpAfter_RunFailedAndCleanUpSucceeds_DoesNotThrowSoTheRunsErrorGoesOn()
    {
        var cleaned = false;

        await FirstFailure.CleanUpAfterAsync(() =>
        {
            cleaned = true;
            return Task.CompletedTask;
        }, new InvalidOperationException("loader failed"));

        Assert.True(cleaned);
    }

    [Fact]
    public async Task CleanUpAfter_RunSucceededAndCleanUpFails_TheCleanUpsErrorPropagates()
    {
        var cleanUp = new InvalidOperationException("clean-up failed");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => FirstFailure.CleanUpAfterAsync(() => Task.FromException(cleanUp), null));

        Assert.Same(cleanUp, error);
    }
}
