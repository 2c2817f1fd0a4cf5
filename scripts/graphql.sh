# shellcheck shell=bash
# The GraphQL API's benchmark (./hub bench graphql). Sourced by ./hub after deconfliction.sh.

hub_bench_verb graphql graphql_bench "bench graphql [--stored 1000000] [--matches 10000] [--clients 16] [--seconds 20] [--keep]" \
    "GraphQL inbox query (matches(first: 50)) from concurrent clients vs the same rows by hand-written SQL: pages/s, p50, p99, ratio"

# The first demo agency's officer queries its inbox; the benchmark adds its matches (GQLBENCH-* records) and removes them.
graphql_bench() {
    app_ensure_current_gateway
    local agency token_file rc=0
    agency=$(connector_demo_codes | head -n1)
    token_file=$(mktemp)
    chmod 600 "$token_file"
    cmd_token "$agency" officer | tail -n1 >"$token_file" || { rm -f "$token_file"; hub_die "could not get a token for $agency"; }
    app_exec Bench graphql --agency "$agency" --url "http://127.0.0.1:$HUB_GATEWAY_PORT/graphql" --token-file "$token_file" "$@" || rc=$?
    rm -f "$token_file"
    return $rc
}

hub_bench_verb alerts graphql_bench_alerts "bench alerts [--stored 1000000] [--background 1000] [--background-batch 1] [--probes 300] [--seconds 60] [--warmup 20] [--timeout 30] [--keep]" \
    "alert latency: a connector publishes a matching record -> a graphql-ws alertRaised subscriber gets the alert (p50/p99/max), with stored records and a background stream"

# The first demo agency publishes the probes and its officer subscribes (the benchmark takes the officer's token with
# ./hub token after its bulk load, which may outlast a token); a fresh agency streams the background (it is disabled
# afterwards, as bench match's is). With the broker's administration credential, to remove the alert queues the relay
# declared for the benchmark's agencies.
graphql_bench_alerts() {
    app_ensure_current_gateway
    local agency stream rc=0
    agency=$(connector_demo_codes | head -n1)
    stream="AS$(date +%s)"
    agency_add "$stream" "Alert benchmark stream $stream" --region US >&2
    app_exec_admin Bench alerts --agency "$agency" --password-file "$(connector_secret_file "$agency")" \
        --stream-agency "$stream" --stream-password-file "$(connector_secret_file "$stream")" \
        --broker "amqp://127.0.0.1:$HUB_AMQP_PORT/" --url "http://127.0.0.1:$HUB_GATEWAY_PORT/graphql" "$@" || rc=$?
    agency_disable "$stream" || true
    rm -f "$(connector_secret_file "$stream")"
    return $rc
}
