namespace SharingHub.Bench.Match;

/// <summary>
/// The error handling of a benchmark's parallel work and of its clean-up, kept free of the database so that it can be
/// tested on its own (tests/Matching.Tests links this file): the first failure is the one reported, nothing is still
/// running when it is, and a clean-up's own failure comes after it, never instead of it.
/// </summary>
internal static class FirstFailure
{
    /// <summary>
    /// Runs <paramref name="workers"/> in parallel, each with a token that is cancelled at the first failure or when
    /// <paramref name="cancellationToken"/> is. Returns, or throws, only once EVERY worker has ended, so a clean-up
    /// that follows cannot race one. It throws the first failure; the errors that the cancellation itself causes in
    /// the other workers (a broken COPY, a cancelled read) are consequences and are not reported. When
    /// <paramref name="cancellationToken"/> was cancelled first, the failure is an <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task RunAllAsync(IReadOnlyList<Func<CancellationToken, Task>> workers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workers);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = workers.Select(worker => Task.Run(() => worker(stop.Token), CancellationToken.None)).ToList();
        Exception? first = null;
        while (running.Count > 0)
        {
            var done = await Task.WhenAny(running).ConfigureAwait(false);
            running.Remove(done);
            try
            {
                await done.ConfigureAwait(false);
            }
            catch (Exception error) when (first is null)
            {
                first = cancellationToken.IsCancellationRequested ? new OperationCanceledException(cancellationToken) : error;
                await stop.CancelAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A consequence of the stop (or a later failure): the first one is what is reported.
            }
        }
        if (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    /// <summary>
    /// Runs a benchmark's <paramref name="cleanUp"/> after its run. A run that succeeded: a clean-up failure
    /// propagates (it is the first error). A run that failed: a clean-up that succeeds lets the run's failure go on;
    /// a clean-up that fails throws a <see cref="CleanUpFailedException"/> that carries the run's failure first and
    /// the clean-up's after it, so that a <c>finally</c> that calls this never replaces the run's error by its own.
    /// </summary>
    public static async Task CleanUpAfterAsync(Func<Task> cleanUp, Exception? runFailure)
    {
        ArgumentNullException.ThrowIfNull(cleanUp);
        try
        {
            await cleanUp().ConfigureAwait(false);
        }
        catch (Exception failure) when (runFailure is not null)
        {
            throw new CleanUpFailedException(runFailure, failure);
        }
    }
}

/// <summary>
/// A run failed, then its clean-up failed too. <see cref="RunFailure"/> (also the inner exception) is the first error
/// and is reported first; the message describes the clean-up's failure, reported after it.
/// </summary>
internal sealed class CleanUpFailedException(Exception runFailure, Exception cleanUpFailure)
    : Exception($"the clean-up after that failure failed too ({cleanUpFailure.GetType().Name}: {cleanUpFailure.Message}); " +
        "the benchmark's records may be left in the hub's database", runFailure)
{
    /// <summary>The run's own failure: the first error.</summary>
    public Exception RunFailure { get; } = runFailure;

    /// <summary>The clean-up's failure, which came after.</summary>
    public Exception CleanUpFailure { get; } = cleanUpFailure;
}
