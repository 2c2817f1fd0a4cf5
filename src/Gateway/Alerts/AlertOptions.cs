using System.ComponentModel.DataAnnotations;

namespace SharingHub.Gateway.Alerts;

/// <summary>How alerts are raised, escalated and delivered (<c>Alerts</c> section).</summary>
public sealed class AlertOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Alerts";

    /// <summary>
    /// A person match's score must move by at least this many bits (same band), with a change in one of its records,
    /// to raise a new alert (a move caused only by the name counts is not news; a band change always is).
    /// </summary>
    [Range(0.01, 1000)]
    public double ScoreChangeThreshold { get; set; } = 3;

    /// <summary>An alert left unacknowledged this long (seconds) escalates: first to the agency's supervisors, then to the watch centre.</summary>
    [Range(0.1, 7 * 24 * 3600)]
    public double EscalateAfterSeconds { get; set; } = 15 * 60;

    /// <summary>How often (seconds) one replica looks for alerts to escalate.</summary>
    [Range(0.1, 3600)]
    public double EscalationCheckSeconds { get; set; } = 10;

    /// <summary>
    /// The agency code of the hub's watch centre: its supervisors receive the second escalation. Empty: escalation
    /// stops at the agency's supervisors.
    /// </summary>
    [MaxLength(32)]
    public string? WatchCenterAgency { get; set; }

    /// <summary>Publish alerts to the agencies' alert queues (the relay). Off: alerts are persisted and subscribed only.</summary>
    public bool RelayEnabled { get; set; } = true;

    /// <summary>How often (seconds) the relay looks for undelivered alerts when no notification woke it.</summary>
    [Range(0.05, 3600)]
    public double RelayPollSeconds { get; set; } = 2;
}
