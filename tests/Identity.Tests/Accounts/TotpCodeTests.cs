using SharingHub.Identity.Accounts;

namespace SharingHub.Identity.Tests.Accounts;

/// <summary>
/// One-time codes checked against RFC 6238's own test vectors (Appendix B, SHA-1), not against this implementation's
/// output. The RFC prints 8-digit codes; an authenticator app's 6-digit code is the same value modulo 10^6, so the
/// last six digits.
/// </summary>
public sealed class TotpCodeTests
{
    // The RFC's SHA-1 seed, the ASCII bytes of "12345678901234567890", in base32.
    private const string RfcSeed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Compute_Rfc6238Sha1Vectors_LastSixDigitsOfTheRfcCode(long unixSeconds, string rfcCode)
    {
        var code = TotpCode.Compute(RfcSeed, DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

        Assert.Equal(rfcCode[^6..], code);
    }

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(20000000000L, "65353130")]
    public void MatchStep_Rfc6238Code_AcceptedAtItsTimeStep(long unixSeconds, string rfcCode)
    {
        var step = TotpCode.MatchStep(RfcSeed, rfcCode[^6..], DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

        Assert.Equal(unixSeconds / 30, step);
    }

    [Theory]
    [InlineData(-30, true)]
    [InlineData(30, true)]
    [InlineData(-60, false)]
    [InlineData(60, false)]
    public void MatchStep_Rfc6238CodeOneOrTwoStepsAway_OnlyOneStepOfDriftAccepted(int secondsAway, bool accepted)
    {
        // 1111111111 is the RFC's vector "14050471", in step 37037037 (starting at 1111111110).
        var step = TotpCode.MatchStep(RfcSeed, "050471", DateTimeOffset.FromUnixTimeSeconds(1111111111L + secondsAway));

        Assert.Equal(accepted ? 37037037L : null, step);
    }
}
