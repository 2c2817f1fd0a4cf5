# shellcheck shell=bash
# Ingestion: agencies on the bus, the connector (publish, worker), the ingest
# benchmark and the demo data that `./hub up` loads. Sourced by ./hub.

hub_register publish "publish [--agency CODE] --file PATH [--mapping PATH] [--dry-run]" \
    "publish a CSV/JSON file through the connector as an agency (default: the first demo agency)"
hub_register connector "connector --agency CODE --config PATH" "run the connector worker: drop folder and/or SQL polling"
hub_register alerts "alerts --agency CODE --sink file:PATH|webhook:URL [--once]" \
    "drain an agency's alert queue to a JSON-lines file or a webhook (each alert once, in order)"
hub_register agency "agency add CODE \"Name\" [--region US[,MX]] [--kind K] | agency list" \
    "register an agency (broker user: publish records, read its alert queue; Gateway database row); list agency codes"
hub_bench_verb ingest connector_bench_ingest "bench ingest [--records N] [--stored N]" "ingest benchmark (bench/Bench): ingest rate vs the raw RabbitMQ ceiling; --stored N fills the hub first and prints candidates and matches per record"

HUB_DEMO_AGENCIES="$HUB_ROOT/demo/agencies.json"
HUB_AGENCY_DIR="$HUB_STATE/agencies"
# An agency's broker user may publish to the hub's record exchanges and read its own alert queue, nothing else:
# no configure (it declares nothing), no write elsewhere, no read of another agency's queue. docs/security.md lists
# these patterns, and BrokerPermissionsTests compares them with the live broker.
HUB_AGENCY_WRITE_PERMISSION='^SharingHub\.Contracts\.V1:.*$'
# agency_read_permission CODE: the agency's own alert queue (codes hold only letters, digits, _ and -).
agency_read_permission() { printf '^sharinghub-alerts\\.%s$\n' "$1"; }

# agency_set_permissions CODE: the agency user's permissions on the hub's virtual host (idempotent).
agency_set_permissions() {
    local read
    read=$(agency_read_permission "$1")
    hub_rabbit_api PUT "permissions/%2F/$1" \
        "{\"configure\":\"^\$\",\"write\":\"${HUB_AGENCY_WRITE_PERMISSION//\\/\\\\}\",\"read\":\"${read//\\/\\\\}\"}"
}

# agency_reapply_permissions: every agency user on the broker (a user whose write pattern is the agencies') gets the
# current agency permissions, so an install from before a change converges at its next ./hub infra.
agency_reapply_permissions() {
    local listing user
    listing=$(curl -fsS -u "$HUB_RABBIT_USER:$(hub_secret rabbit-password)" \
        "http://127.0.0.1:$HUB_MGMT_PORT/api/vhosts/%2F/permissions") || hub_die "could not list the broker's permissions"
    local write_json=${HUB_AGENCY_WRITE_PERMISSION//\\/\\\\}
    while read -r user; do
        [[ -n $user ]] || continue
        agency_set_permissions "$user" || hub_die "could not set the broker permissions of $user"
    done < <(grep -o '{[^{}]*}' <<<"$listing" | grep -F "\"write\":\"$write_json\"" |
        grep -o '"user":"[A-Za-z0-9_-]*"' | sed 's/^"user":"\(.*\)"$/\1/')
}

# Demo agency codes in file order (the first is the default agency).
connector_demo_codes() { grep -o '"code": *"[^"]*"' "$HUB_DEMO_AGENCIES" | sed 's/.*"\([^"]*\)"$/\1/'; }

# connector_demo_field CODE FIELD: a field of a demo agency's line in demo/agencies.json.
connector_demo_field() {
    grep "\"code\": *\"$1\"" "$HUB_DEMO_AGENCIES" | grep -o "\"$2\": *\"[^\"]*\"" | sed 's/.*"\([^"]*\)"$/\1/'
}

connector_secret_file() { printf '%s\n' "$HUB_AGENCY_DIR/$1.secret"; }


# agency_add CODE NAME [--region R[,NEIGHBOUR...]] [--kind K]
agency_add() {
    local code=${1:-} name=${2:-} region=US kind=lawEnforcement neighbours
    shift 2 || hub_die "usage: ./hub agency add CODE \"Name\" [--region US] [--kind lawEnforcement|victimServices|prosecution]"
    while (($#)); do
        case $1 in
        --region) region=${2:-}; shift 2 ;;
        --kind) kind=${2:-}; shift 2 ;;
        *) hub_die "agency add: unknown option $1" ;;
        esac
    done
    [[ $code =~ ^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$ ]] || hub_die "agency code '$code' must be 2-32 letters, digits, _ or -"
    [[ -n $name ]] || hub_die "agency add: a name is required"
    [[ $region =~ ^[A-Za-z]{2}(,[A-Za-z]{2})*$ ]] ||
        hub_die "--region must be an ISO 3166-1 alpha-2 code such as US, then any neighbouring regions whose numbers are read when invalid in it: US,MX"
    # The first region is the default; the others are neighbours (ADR-006), kept as a PostgreSQL array literal.
    neighbours="{${region#"${region%%,*}"}}"
    neighbours=${neighbours/#\{,/\{}
    region=${region%%,*}
    case $kind in lawEnforcement | victimServices | prosecution) ;; *) hub_die "--kind must be lawEnforcement, victimServices or prosecution" ;; esac

    infra_ensure
    app_migrate_if_pending Gateway sharinghub

    # DEVELOPMENT secret: generated once per agency, readable by this user only.
    local secret_file password
    secret_file=$(connector_secret_file "$code")
    if [[ ! -s $secret_file ]]; then
        (umask 077 && mkdir -p "$HUB_AGENCY_DIR" && head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$secret_file")
    fi
    chmod 600 "$secret_file"
    password=$(cat "$secret_file")

    hub_rabbit_api PUT "users/$code" "{\"password\":\"$password\",\"tags\":\"\"}" ||
        hub_die "could not create the broker user $code"
    agency_set_permissions "$code" || hub_die "could not set the broker permissions of $code"

    hub_psql -d sharinghub -v code="$code" -v name="$name" -v kind="${kind^}" -v region="${region^^}" \
        -v neighbours="${neighbours^^}" <<'SQL' >/dev/null
INSERT INTO agencies (code, name, kind, region, neighbour_regions, created_at)
VALUES (:'code', :'name', :'kind', :'region', :'neighbours'::text[], now())
ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, region = excluded.region,
    neighbour_regions = excluded.neighbour_regions;
SQL
    hub_info "agency $code registered (broker user: publishes records, reads its alert queue; secret $secret_file)"
}

agency_list() {
    infra_ensure
    app_migrate_if_pending Gateway sharinghub
    local registered code
    registered=$(hub_psql -d sharinghub -tA -c "SELECT code FROM agencies ORDER BY code")
    for code in $(connector_demo_codes); do
        grep -qxF "$code" <<<"$registered" && printf '%s\n' "$code"
    done
    grep -vxF -f <(connector_demo_codes) <<<"$registered" | sed '/^$/d' || true
}

cmd_agency() {
    case ${1:-} in
    add) shift && agency_add "$@" ;;
    list) agency_list ;;
    *) hub_die "usage: ./hub agency add CODE \"Name\" [--region US[,MX]] [--kind K] | ./hub agency list" ;;
    esac
}

# connector_args AGENCY [MODE]: the connector's broker and state settings for AGENCY, as arguments.
connector_args() {
    local code=$1 secret_file region
    secret_file=$(connector_secret_file "$code")
    [[ -s $secret_file ]] || hub_die "agency $code has no broker secret here: ./hub agency add $code \"Name\""
    # "US,MX": the default region, then the neighbours, as the connector's --region reads them.
    region=$(hub_psql -d sharinghub -tA -v code="$code" <<<"SELECT array_to_string(region || neighbour_regions, ',') FROM agencies WHERE code = :'code'")
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
    app_exec_admin Bench ingest --agency "$code" "$@" \
        --connector "$(app_dll Connectors)" \
        --broker "amqp://127.0.0.1:$HUB_AMQP_PORT/" --password-file "$(connector_secret_file "$code")" || rc=$?
    hub_rabbit_api DELETE "users/$code" || true
    rm -f "$(connector_secret_file "$code")"
    return $rc
}

# ./hub up: the demo agencies of demo/agencies.json, and their data through the real connector.
up_hook_30_demo_data() {
    local code name kind region file mapping
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
