# shellcheck shell=bash
# Ingestion: agencies on the bus, the connector (publish, worker), the ingest
# benchmark and the demo data that `./hub up` loads. Sourced by ./hub.

hub_register publish "publish [--agency CODE] --file PATH [--mapping PATH] [--dry-run]" \
    "publish a CSV/JSON file through the connector as an agency (default: the first demo agency)"
hub_register connector "connector --agency CODE --config PATH" "run the connector worker: drop folder and/or SQL polling"
hub_register alerts "alerts --agency CODE --sink file:PATH|webhook:URL [--once]" \
    "drain an agency's alert queue to a JSON-lines file or a webhook (each alert once, in order)"
hub_register agency "agency add CODE \"Name\" [--region US[,MX]] [--kind K] | agency disable CODE | agency list" \
    "register an agency through registerAgency (the provisioner makes its broker user and tells Identity); disable one; list agency codes"
hub_bench_verb ingest connector_bench_ingest "bench ingest [--records N] [--stored N]" "ingest benchmark (bench/Bench): ingest rate vs the raw RabbitMQ ceiling; --stored N fills the hub first and prints candidates and matches per record"

HUB_DEMO_AGENCIES="$HUB_ROOT/demo/agencies.json"
# The provisioner writes each agency's broker password here (CODE.secret, mode 600) when it creates its user.
HUB_AGENCY_DIR="$HUB_STATE/agencies"

# Demo agency codes in file order (the first is the default agency).
connector_demo_codes() { grep -o '"code": *"[^"]*"' "$HUB_DEMO_AGENCIES" | sed 's/.*"\([^"]*\)"$/\1/'; }

# connector_demo_field CODE FIELD: a field of a demo agency's line in demo/agencies.json.
connector_demo_field() {
    grep "\"code\": *\"$1\"" "$HUB_DEMO_AGENCIES" | grep -o "\"$2\": *\"[^\"]*\"" | sed 's/.*"\([^"]*\)"$/\1/'
}

connector_secret_file() { printf '%s\n' "$HUB_AGENCY_DIR/$1.secret"; }


# agency_admin_token: an administrator's bearer token (the first demo agency's demo admin, development only), once
# per command: ./hub up registers every demo agency with it.
agency_admin_token() {
    if [[ -z ${HUB_AGENCY_ADMIN_TOKEN:-} ]]; then
        HUB_AGENCY_ADMIN_TOKEN=$(cmd_token "$(connector_demo_codes | head -n1)" admin 2>/dev/null | tail -n1) ||
            hub_die "could not get an administrator's token from Identity"
        [[ -n $HUB_AGENCY_ADMIN_TOKEN ]] || hub_die "could not get an administrator's token from Identity"
    fi
    printf '%s\n' "$HUB_AGENCY_ADMIN_TOKEN"
}

# agency_graphql QUERY VARIABLES_JSON: POST to the Gateway's /graphql as the administrator; prints the response,
# fails on an error in it.
agency_graphql() {
    local body response
    body=$(jq -cn --arg query "$1" --argjson variables "$2" '{query: $query, variables: $variables}')
    response=$(curl -sS --max-time 30 -H "Authorization: Bearer $(agency_admin_token)" -H 'Content-Type: application/json' \
        --data "$body" "http://127.0.0.1:$HUB_GATEWAY_PORT/graphql") || hub_die "the Gateway did not answer at 127.0.0.1:$HUB_GATEWAY_PORT"
    if jq -e '.errors | length > 0' <<<"$response" >/dev/null 2>&1 || ! jq -e '.data' <<<"$response" >/dev/null 2>&1; then
        hub_die "the Gateway refused: $(jq -r '[.errors[]? | .message] | join("; ")' <<<"$response" 2>/dev/null || printf '%s' "$response")"
    fi
    printf '%s\n' "$response"
}

# agency_add CODE NAME [--region R[,NEIGHBOUR...]] [--kind K]: registerAgency as an administrator (the same path as
# any administrator's, ADR-014), then waits until the provisioner reports the agency's broker user READY.
agency_add() {
    local code=${1:-} name=${2:-} region=US kind=lawEnforcement regions
    shift 2 || hub_die "usage: ./hub agency add CODE \"Name\" [--region US] [--kind lawEnforcement|victimServices|prosecution]"
    while (($#)); do
        case $1 in
        --region) region=${2:-}; shift 2 ;;
        --kind) kind=${2:-}; shift 2 ;;
        *) hub_die "agency add: unknown option $1" ;;
        esac
    done
    [[ -n $name ]] || hub_die "agency add: a name is required"
    [[ $region =~ ^[A-Za-z]{2}(,[A-Za-z]{2})*$ ]] ||
        hub_die "--region must be an ISO 3166-1 alpha-2 code such as US, then any neighbouring regions whose numbers are read when invalid in it: US,MX"
    case $kind in
    lawEnforcement) kind=LAW_ENFORCEMENT ;;
    victimServices) kind=VICTIM_SERVICES ;;
    prosecution) kind=PROSECUTION ;;
    *) hub_die "--kind must be lawEnforcement, victimServices or prosecution" ;;
    esac
    regions=$(jq -cn --arg r "${region^^}" '$r | split(",")')

    app_ensure_hosts
    agency_admin_token >/dev/null
    agency_graphql 'mutation Register($input: RegisterAgencyInput!) { registerAgency(input: $input) { agency { code } } }' \
        "$(jq -cn --arg code "$code" --arg name "$name" --arg kind "$kind" --argjson regions "$regions" \
            '{input: {code: $code, name: $name, kind: $kind, regions: $regions}}')" >/dev/null
    agency_wait_broker "$code" READY
    hub_info "agency $code registered (broker user: publishes records, reads its alert queue; secret $(connector_secret_file "$code"))"
}

# agency_wait_broker CODE STATE: waits (up to 60 s) until the provisioner reports the agency's broker STATE.
agency_wait_broker() {
    local code=$1 want=$2 state= i
    for ((i = 0; i < 120; i++)); do
        state=$(agency_graphql '{ agencies { code brokerState } }' '{}' |
            jq -r --arg code "$code" '.data.agencies[] | select(.code == $code) | .brokerState // ""')
        [[ $state == "$want" ]] && return 0
        [[ $state != FAILED ]] || hub_warn "the provisioner failed on agency $code and retries (log: $(app_log_file Provisioner))"
        sleep 0.5
    done
    hub_die "the provisioner did not report agency $code $want within 60 s (it reports ${state:-nothing}; log: $(app_log_file Provisioner))"
}

# agency_disable CODE: disableAgency as an administrator; the provisioner removes its broker access, its records stay.
agency_disable() {
    # A fresh token: the one taken before a long benchmark may have expired while it ran.
    unset HUB_AGENCY_ADMIN_TOKEN
    agency_graphql 'mutation Disable($code: String!) { disableAgency(input: { code: $code }) { agency { code } } }' \
        "$(jq -cn --arg code "$1" '{code: $code}')" >/dev/null
}

agency_list() {
    app_ensure_hosts
    agency_admin_token >/dev/null
    local registered code
    registered=$(agency_graphql '{ agencies { code } }' '{}' | jq -r '.data.agencies[].code' | LC_ALL=C sort)
    for code in $(connector_demo_codes); do
        grep -qxF "$code" <<<"$registered" && printf '%s\n' "$code"
    done
    grep -vxF -f <(connector_demo_codes) <<<"$registered" | sed '/^$/d' || true
}

cmd_agency() {
    case ${1:-} in
    add) shift && agency_add "$@" ;;
    disable)
        [[ -n ${2:-} ]] || hub_die "usage: ./hub agency disable CODE"
        app_ensure_hosts
        agency_admin_token >/dev/null
        agency_disable "$2"
        agency_wait_broker "$2" DISABLED
        hub_info "agency $2 disabled (its users and its connector are refused; its records stay)"
        ;;
    list) agency_list ;;
    *) hub_die "usage: ./hub agency add CODE \"Name\" [--region US[,MX]] [--kind K] | ./hub agency disable CODE | ./hub agency list" ;;
    esac
}

# connector_args AGENCY [MODE]: the connector's broker and state settings for AGENCY, as arguments.
connector_args() {
    local code=$1 secret_file region
    secret_file=$(connector_secret_file "$code")
    [[ -s $secret_file ]] || hub_die "agency $code has no broker secret here: ./hub agency add $code \"Name\""
    # "US,MX": the default region, then the neighbours, as the connector's --region reads them.
    region=$(agency_graphql '{ agencies { code regions } }' '{}' |
        jq -r --arg code "$code" '.data.agencies[] | select(.code == $code) | .regions | join(",")')
    printf '%s\n' --broker "amqp://127.0.0.1:$HUB_AMQP_PORT/" --password-file "$secret_file" \
        --state-dir "$HUB_STATE/connector/state"
    # The alert drain reads no records, so it takes no phone region.
    [[ ${2:-} == alerts ]] || printf '%s\n' --region "${region:-US}"
}

# connector_run MODE DEFAULT_AGENCY ARGS...: run the connector (publish or worker) as --agency (or the
# default, when there is one) with this checkout's broker and state settings; other arguments pass through.
connector_run() {
    local mode=$1 agency=$2 args=()
    shift 2
    while (($#)); do
        case $1 in
        --agency) (($# >= 2)) || hub_die "--agency needs an agency code"; agency=$2; shift 2 ;;
        *) args+=("$1"); shift ;;
        esac
    done
    [[ -n $agency ]] || hub_die "usage: ./hub $mode --agency CODE ..."
    infra_ensure
    app_ensure_hosts
    # Once here, not in each subshell that reads the agency's settings.
    agency_admin_token >/dev/null
    local extra
    mapfile -t extra < <(connector_args "$agency" "$mode")
    app_exec Connectors "$mode" --agency "$agency" "${extra[@]}" "${args[@]}"
}

cmd_publish() { connector_run publish "$(connector_demo_codes | head -n1)" "$@"; }

cmd_connector() { connector_run connector "" "$@"; }

cmd_alerts() { connector_run alerts "" "$@"; }

# ./hub bench ingest [--records N] [--stored N]: a fresh agency publishes N synthetic records through the real
# connector CLI to the running Gateway; then the raw RabbitMQ ceiling is measured on the same broker.
connector_bench_ingest() {
    app_ensure_current_gateway
    local code="BENCH$(date +%s)"
    agency_add "$code" "Ingest benchmark $code" --region US >&2
    local rc=0
    # The processes whose CPU time the benchmark counts per record (each with its children), those this hub runs.
    # A process whose pid file is missing is left out (a failing substitution in a for list does not stop the script).
    local processes="" process
    for process in "Gateway=$(hub_read_pid "$(app_pid_file Gateway)")" "PostgreSQL=$(infra_pg_pid)" "RabbitMQ=$(infra_rabbit_pid)"; do
        [[ $process == *= ]] || processes+="${processes:+,}$process"
    done
    app_exec_admin Bench ingest --agency "$code" "$@" --processes "$processes" \
        --connector "$(app_dll Connectors)" \
        --broker "amqp://127.0.0.1:$HUB_AMQP_PORT/" --password-file "$(connector_secret_file "$code")" || rc=$?
    agency_disable "$code" || true
    rm -f "$(connector_secret_file "$code")"
    return $rc
}

# ./hub up: the demo agencies of demo/agencies.json, and their data through the real connector.
up_hook_30_demo_data() {
    local code name kind region file mapping
    agency_admin_token >/dev/null
    for code in $(connector_demo_codes); do
        name=$(connector_demo_field "$code" name)
        kind=$(connector_demo_field "$code" kind)
        region=$(connector_demo_field "$code" region)
        agency_add "$code" "$name" --kind "$kind" --region "${region:-US}"
    done
    for code in $(connector_demo_codes); do
        for file in "$HUB_ROOT"/demo/data/"$code"*; do
            [[ -f $file && $file != *.mapping.json && $file != *.rejects.csv ]] || continue
            mapping="${file%.*}.mapping.json"
            hub_info "publishing demo data $(basename "$file") as $code"
            if [[ -f $mapping ]]; then
                cmd_publish --agency "$code" --file "$file" --mapping "$mapping" >&2
            else
                cmd_publish --agency "$code" --file "$file" >&2
            fi
        done
    done
}
