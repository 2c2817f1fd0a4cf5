using System.Text;

namespace SharingHub.Connectors.Sources;

/// <summary>
/// How much of a file the connector reads as one row, whatever the file claims. A canonical record at the hub's
/// longest field lengths is about 10,000 characters, so these leave a wide margin for real exports while keeping
/// a runaway line (a missing newline, a broken quote, a hostile file) from taking the worker's memory.
/// </summary>
internal static class ReadLimits
{
    /// <summary>Characters in one line of a canonical or JSON-lines file; a longer line is rejected unread.</summary>
    public const int MaxLineChars = 256 * 1024;

    /// <summary>Characters in one CSV field; a longer one (typically an unclosed quote) stops the file.</summary>
    public const int MaxCsvFieldChars = 64 * 1024;

    /// <summary>Bytes of one element of a JSON array, give or take the reader's 16 KiB buffer; a larger one stops the file.</summary>
    public const int MaxJsonElementBytes = 1024 * 1024;
}

/// <summary>
/// Reads lines like <see cref="TextReader.ReadLine"/> (CR, LF or CRLF), but never holds more than
/// <paramref name="maxChars"/> of one: a longer line is skipped to its end and reported as <c>null</c> text.
/// </summary>
internal sealed class BoundedLineReader(TextReader reader, int maxChars)
{
    private readonly StringBuilder _line = new();

    /// <summary>The next line; false at the end. <paramref name="line"/> is null when the line was too long.</summary>
    public bool TryRead(out string? line)
    {
        _line.Clear();
        var tooLong = false;
        var any = false;
        while (true)
        {
            var c = reader.Read();
            if (c < 0)
            {
                line = tooLong ? null : _line.ToString();
                return any;
            }
            any = true;
            if (c == '\n' || c == '\r')
            {
                if (c == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }
                line = tooLong ? null : _line.ToString();
                return true;
            }
            if (tooLong)
            {
                continue;
            }
            if (_line.Length >= maxChars)
            {
                tooLong = true;
                _line.Clear();
                continue;
            }
            _line.Append((char)c);
        }
    }
}

/// <summary>
/// A read-only stream that allows at most <paramref name="budget"/> bytes between two calls to
/// <see cref="Reset"/>: the JSON array reader resets it at every element, so one huge element stops the file
/// instead of filling memory.
/// </summary>
internal sealed class BudgetStream(Stream inner, long budget) : Stream
{
    private long _used;

    public void Reset() => _used = 0;

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int read)
    {
        _used += read;
        if (_used > budget)
        {
            throw new ElementTooLargeException(budget);
        }
        return read;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>One element of a JSON array is larger than <see cref="ReadLimits.MaxJsonElementBytes"/>.</summary>
internal sealed class ElementTooLargeException(long budget) : IOException($"an element is larger than {budget} bytes");
