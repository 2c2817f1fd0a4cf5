using SharingHub.Identity.Cli;

namespace SharingHub.Identity.Tests.Cli;

/// <summary>The argument parsing of <c>./hub identity user add|reset|list</c> (pure code).</summary>
public sealed class UserCommandTests
{
    [Fact]
    public void Parse_AddWithRepeatedAndCommaRolesAndFlags_ReadsEverything()
    {
        var command = IdentityCommands.UserCommand.Parse(
            ["add", "TX0010100", "jane.doe", "--role", "officer", "--role=analyst,supervisor", "--leo", "--name", "Det. Jane Doe"]);

        Assert.Equal("add", command.Verb);
        Assert.Equal(["TX0010100", "jane.doe"], command.Positional);
        Assert.Equal(["officer", "analyst", "supervisor"], command.Roles);
        Assert.True(command.Leo);
        Assert.False(command.Cfr28);
        Assert.Equal("Det. Jane Doe", command.Name);
    }

    [Fact]
    public void Parse_ConfigurationOverride_IsLeftToTheHost()
    {
        var command = IdentityCommands.UserCommand.Parse(["list", "--ConnectionStrings:identitydb=Host=x"]);

        Assert.Empty(command.Positional);
    }

    [Theory]
    [InlineData("add TX0010100", "usage:")]
    [InlineData("add TX0010100 jane --role", "--role needs a value")]
    [InlineData("add TX0010100 jane --admin", "unknown option '--admin'")]
    [InlineData("reset jane --role officer", "belong to 'user add'")]
    [InlineData("remove jane", "usage:")]
    [InlineData("list A B", "usage:")]
    public void Parse_BadCommandLine_SaysWhatIsWrong(string line, string expected)
    {
        var error = Assert.Throws<UsageException>(() => IdentityCommands.UserCommand.Parse(line.Split(' ')));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
