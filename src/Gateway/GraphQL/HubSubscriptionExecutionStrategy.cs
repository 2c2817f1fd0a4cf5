using GraphQL;
using GraphQL.Execution;
using SharingHub.Gateway.Data;
using ExecutionContext = GraphQL.Execution.ExecutionContext;

namespace SharingHub.Gateway.GraphQL;

/// <summary>
/// Runs subscriptions: each event is executed in its own service scope with a fresh <see cref="HubRequestContext"/>
/// for the subscriber (its own <see cref="HubDbContext"/>, loaders and counterpart cache), so an event shows the match
/// as it is now, through the same release rule as a query, and no two events share a DbContext.
/// </summary>
internal sealed class HubSubscriptionExecutionStrategy(IServiceScopeFactory scopes)
    : SubscriptionExecutionStrategy(new SerialExecutionStrategy())
{
    protected override ExecutionContext CloneExecutionContext(ExecutionContext context, CancellationToken token)
    {
        var clone = base.CloneExecutionContext(context, token);
        // The subscribe message's scope ends when its first execution does; events get their own.
        clone.RequestServices = null;
        return clone;
    }

    protected override async ValueTask<ExecutionResult> ProcessDataAsync(ExecutionContext context, ExecutionNode node, object? value)
    {
        var subscriber = (HubRequestContext)context.UserContext;
        await using var scope = scopes.CreateAsyncScope();
        context.RequestServices = scope.ServiceProvider;
        context.UserContext = new HubRequestContext(subscriber.Principal, scope.ServiceProvider.GetRequiredService<HubDbContext>(),
            scope.ServiceProvider.GetRequiredService<AgencyDirectory>());
        return await base.ProcessDataAsync(context, node, value);
    }

    protected override async Task<ExecutionError> ProcessErrorAsync(ExecutionContext context, ExecutionNode node, Exception exception)
    {
        await using var scope = scopes.CreateAsyncScope();
        context.RequestServices = scope.ServiceProvider;
        return await base.ProcessErrorAsync(context, node, exception);
    }
}
