using System.ComponentModel.DataAnnotations;

namespace SharingHub.Identity.Accounts;

/// <summary>Local accounts and the logon session (CJIS Security Policy 5.5.3, 5.5.4, 5.6.2.2).</summary>
public sealed class AccountOptions
{
    /// <summary>Configuration section: <c>Accounts</c>.</summary>
    public const string SectionName = "Accounts";

    /// <summary>
    /// Consecutive failed logons made with the right password (a wrong, missing or spent one-time code) that lock
    /// the account. CJIS: at most 5. Wrong passwords do not count: see <see cref="LogonAttemptsPerAddress"/>.
    /// </summary>
    [Range(1, 5)]
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>How long a locked account stays locked, in minutes. CJIS: at least 10.</summary>
    [Range(10, 1440)]
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>
    /// Logon attempts allowed from one source address per <see cref="LogonWindowSeconds"/>; more are answered
    /// 429 and audited. This, not the account lockout, is what stops password guessing.
    /// </summary>
    [Range(1, 100_000)]
    public int LogonAttemptsPerAddress { get; set; } = 10;

    /// <summary>The window of <see cref="LogonAttemptsPerAddress"/>, in seconds.</summary>
    [Range(1, 3600)]
    public int LogonWindowSeconds { get; set; } = 60;

    /// <summary>How long the sign-in session at Identity lasts without activity, in minutes.</summary>
    [Range(1, 30)]
    public int SessionMinutes { get; set; } = 30;

    /// <summary>The system-use notice shown on the login page (CJIS 5.5.4).</summary>
    [Required]
    public string SystemUseNotice { get; set; } =
        "You are accessing a restricted information system of a multi-agency human-trafficking task force. " +
        "System usage may be monitored, recorded, and subject to audit. Unauthorized use of the system is " +
        "prohibited and subject to criminal and civil penalties. Use of the system indicates consent to " +
        "monitoring and recording. Criminal Justice Information is released only to authorized personnel " +
        "for authorized purposes.";
}
