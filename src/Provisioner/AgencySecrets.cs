using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace SharingHub.Provisioner;

/// <summary>
/// An agency's broker password, in <c>CODE.secret</c> under <see cref="ProvisionerOptions.HandoverDirectory"/>
/// (mode 600): made once, before the user is created, and reused ever after, so a broker that lost its users gives
/// the agency's connector the same password back. The operator hands the file to the agency; it is never logged.
/// </summary>
internal sealed class AgencySecrets(IOptions<ProvisionerOptions> options)
{
    /// <summary>The password of <paramref name="code"/>'s broker user: the existing file's, or a new one written first.</summary>
    public async Task<string> GetOrCreateAsync(string code, CancellationToken cancellationToken)
    {
        var directory = options.Value.HandoverDirectory;
        var path = Path.Combine(directory, code + ".secret");
        if (File.Exists(path) && (await File.ReadAllTextAsync(path, cancellationToken)).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }
        Directory.CreateDirectory(directory);
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(18));
        // Written under a temporary name and renamed, so a reader never sees half a password.
        var temporary = path + ".tmp";
        var stream = OperatingSystem.IsWindows()
            ? new FileStream(temporary, FileMode.Create, FileAccess.Write)
            : new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        await using (stream)
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(password), cancellationToken);
        }
        File.Move(temporary, path, overwrite: true);
        return password;
    }
}
