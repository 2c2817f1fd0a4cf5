# shellcheck shell=bash
# The GraphQL API's benchmark (./hub bench graphql). Sourced by ./hub after deconfliction.sh.

# `./hub bench` belongs to the ingestion script (and `bench match` to deconfliction.sh); `bench graphql` is added by
# wrapping it once more, so no script edits another's function.
if declare -F cmd_bench >/dev/null; then
    eval "graphql_other_bench() $(declare -f cmd_bench | tail -n +2)"
    cmd_bench() {
        if [[ ${1:-} == graphql ]]; then
            shift
            graphql_bench "$@"
        else
            graphql_other_bench "$@"
        fi
    }
    hub_register "bench graphql" "bench graphql [--stored 1000000] [--matches 10000] [--clients 16] [--seconds 20]" \
        "GraphQL inbox query (matches(first: 50)) from concurrent clients vs the same rows by hand-written SQL: pages/s, p50, p99, ratio"
fi

# The first demo agency's officer queries its inbox; the benchmark adds its matches (GQLBENCH-* records) and removes them.
graphql_bench() {
    decon_ensure_gateway
    local agency token_file rc=0
    agency=$(connector_demo_codes | head -n1)
    token_file=$(mktemp)
    chmod 600 "$token_file"
    cmd_token "$agency" officer | tail -n1 >"$token_file" || { rm -f "$token_file"; hub_die "could not get a token for $agency"; }
    app_exec Bench graphql --agency "$agency" --url "http://127.0.0.1:$HUB_GATEWAY_PORT/graphql" --token-file "$token_file" "$@" || rc=$?
    rm -f "$token_file"
    return $rc
}
