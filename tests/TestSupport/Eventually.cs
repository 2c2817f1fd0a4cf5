namespace SharingHub.TestSupport;

/// <summary>
/// Waits for a result by asking for it again and again until it is there, with a deadline that is patience, not a
/// claim: how long the result takes is never what a test asserts, so the deadline is generous (a loaded machine is
/// slow) and only turns a hang into a failure that says what was awaited.
/// </summary>
public static class Eventually
{
    /// <summary>How long a test waits for a result before it fails, unless it says otherwise.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Evaluates <paramref name="probe"/> until <paramref name="done"/> holds for its value and returns that value;
    /// throws <see cref="TimeoutException"/>, naming <paramref name="what"/> and the last value, once <paramref name="patience"/> has passed.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what,
        TimeSpan? patience = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var limit = patience ?? Patience;
        var started = TimeProvider.System.GetTimestamp();
        using var timer = new PeriodicTimer(Interval);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"timed out after {limit} waiting for {what}; last value: {value}");
            }
            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails, naming <paramref name="what"/>, after <paramref name="patience"/>.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? patience = null, CancellationToken cancellationToken = default) =>
        UntilAsync(condition, done => done, what, patience, cancellationToken);

    /// <summary>Waits until <paramref name="condition"/> holds; fails, naming <paramref name="what"/>, after <paramref name="patience"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? patience = null, CancellationToken cancellationToken = default) =>
        UntilAsync(() => Task.FromResult(condition()), done => done, what, patience, cancellationToken);
}
