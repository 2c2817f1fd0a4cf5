# shellcheck shell=bash
# Deconfliction: the real-path evaluation of person matching (./hub evaluate) and the matching
# benchmark (./hub bench match). Sourced by ./hub.

hub_register evaluate "evaluate --file F [--mapping M] --truth COL [--truth-pattern RE] [--agencies K | --split-by COL] [--misses FILE] | evaluate --border [--people N] [--seed S] [--background N [--background-seed S]]" \
    "measure person matching through the real path (fresh agencies, connector, Gateway); prints precision/recall/F1; --border on the generated border set (bench/border); --background N stores N other people first (a full hub)"


# decon_forget_agencies FILE: disable the agencies listed in FILE (the provisioner removes their broker access) and
# remove their dev secrets.
decon_forget_agencies() {
    local code
    [[ -f $1 ]] || return 0
    agency_admin_token >/dev/null
    while read -r code; do
        [[ -n $code ]] || continue
        agency_disable "$code" || true
        rm -f "$(connector_secret_file "$code")"
    done <"$1"
}

cmd_evaluate() {
    if [[ ${1:-} == --border ]]; then
        shift
        decon_evaluate_border "$@"
        return
    fi
    local keep=0 arg
    for arg in "$@"; do [[ $arg == --keep ]] && keep=1; done
    app_ensure_current_gateway
    local codes rc=0
    codes=$(mktemp)
    app_exec Bench evaluate "$@" --codes-file "$codes" || rc=$?
    ((keep)) || decon_forget_agencies "$codes"
    rm -f "$codes"
    return $rc
}

# decon_evaluate_border [--people N] [--seed S] [--background N [--background-seed S]] [evaluate options]: generate
# the border set (bench/border, issue 11) into .hub/border (not under bench/, where a new file would trigger a
# rebuild), evaluate it split by its agency column, and break the misses down by pattern. --background N first stores
# N other people of the same generator (another seed: default the set's seed + 1000) as the rest of the hub, so the
# name counts are a full hub's and its namesakes are candidates (bench/border/README.md, "On a full hub").
decon_evaluate_border() {
    local dir="$HUB_ROOT/bench/border" people=5000 seed=11 background=0 background_seed="" rest=()
    while (($#)); do
        case $1 in
            --people) people=${2:?--people needs a value}; shift 2 ;;
            --seed) seed=${2:?--seed needs a value}; shift 2 ;;
            --background) background=${2:?--background needs a number of people}; shift 2 ;;
            --background-seed) background_seed=${2:?--background-seed needs a value}; shift 2 ;;
            *) rest+=("$1"); shift ;;
        esac
    done
    [[ $background =~ ^[0-9]+$ ]] || hub_die "--background needs a number of people, not '$background'"
    background_seed=${background_seed:-$((seed + 1000))}
    ((background == 0 || background_seed != seed)) || hub_die "--background-seed must differ from --seed: the background must be other people"

    command -v node >/dev/null || hub_die "the border set's generator needs Node.js 20.19 or later (and npm)"
    if [[ ! -d $dir/node_modules/@faker-js/faker || $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2
    fi
    local out="$HUB_STATE/border"
    node "$dir/generate.mjs" --people "$people" --seed "$seed" --out "$out"
    if ((background > 0)); then
        node "$dir/generate.mjs" --people "$background" --seed "$background_seed" --out "$out/background"
        rest+=(--background "$out/background/border.csv")
    fi
    cmd_evaluate --file "$out/border.csv" --mapping "$dir/border.mapping.json" --truth person_id --split-by agency \
        --misses "$out/border.misses.csv" "${rest[@]}"
    node "$dir/breakdown.mjs" --patterns "$out/border.patterns.csv" --misses "$out/border.misses.csv" \
        | tee "$out/border.breakdown.txt"
}

hub_bench_verb match decon_bench_match "bench match [--stored 100000,1000000] [--stream N] [--warmup N] [--rate N]" \
    "matching benchmark (bench/Bench): commit-to-match latency p50/p99 at each stored size, stream throughput, Gateway RSS"

decon_bench_match() {
    app_ensure_current_gateway
    local pid
    pid=$(hub_read_pid "$(app_pid_file Gateway)" || true)
    local code="BM$(date +%s)" rc=0
    agency_add "$code" "Match benchmark $code" --region US >&2
    app_exec Bench match --agency "$code" --gateway-pid "${pid:-0}" \
        --connector "$(app_dll Connectors)" \
        --broker "amqp://127.0.0.1:$HUB_AMQP_PORT/" --password-file "$(connector_secret_file "$code")" "$@" || rc=$?
    agency_disable "$code" || true
    rm -f "$(connector_secret_file "$code")"
    return $rc
}
