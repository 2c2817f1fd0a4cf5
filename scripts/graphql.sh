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
