# shellcheck shell=bash
# The .NET side of ./hub: build once, run migrations, start Identity and Gateway,
# run the test suite. Sourced by ./hub after common.sh.

hub_register build "build" "build the solution (only when sources changed since the last build)"
hub_register up "up" "start infra, run migrations, start Identity, Gateway and the provisioner, load demo data"
hub_register test "test [FILTER]" "run the tests (all, or those whose name contains FILTER); prints 'N passed, N failed'"

: "${HUB_GATEWAY_PORT:=5080}"
: "${HUB_IDENTITY_PORT:=5090}"
# The provisioner (ADR-014) answers only its health probes; its port follows Identity's.
: "${HUB_PROVISIONER_PORT:=$((HUB_IDENTITY_PORT + 10))}"
: "${HUB_CONFIGURATION:=Release}"
export HUB_GATEWAY_PORT HUB_IDENTITY_PORT HUB_PROVISIONER_PORT HUB_CONFIGURATION

# Projects whose dll takes `--migrate` (apply EF Core migrations, then exit); feature scripts append theirs.
HUB_MIGRATE_PROJECTS=(Gateway)
# Hosts started by `up`, in start order: NAME:PORT_VARIABLE.
HUB_HOSTS=(Identity:HUB_IDENTITY_PORT Gateway:HUB_GATEWAY_PORT Provisioner:HUB_PROVISIONER_PORT)

HUB_BUILD_STAMP="$HUB_STATE/build.stamp"

app_require_dotnet() {
    command -v dotnet >/dev/null ||
        hub_die "the .NET SDK is not installed (dotnet not on PATH); see https://learn.microsoft.com/dotnet/core/install/linux-debian"
}

# Files whose change needs a rebuild: sources, project and build files, embedded data.
# A deleted or renamed source leaves no newer file, but its folder's time changes, so folders count too: against
# the build's end, since the build itself creates bin/ and obj/ in them.
app_sources_changed() {
    [[ -f $HUB_BUILD_STAMP ]] || return 0
    local folders_stamp="$HUB_BUILD_STAMP.end"
    [[ -f $folders_stamp ]] || folders_stamp=$HUB_BUILD_STAMP
    [[ -n $(find "$HUB_ROOT/src" "$HUB_ROOT/tests" "$HUB_ROOT/bench" \
        \( -name bin -o -name obj -o -name node_modules \) -prune -o \
        \( -type f -newer "$HUB_BUILD_STAMP" -o -type d -newer "$folders_stamp" \) -print -quit 2>/dev/null) ]] && return 0
    [[ -n $(find "$HUB_ROOT" -maxdepth 1 -type f \
        \( -name '*.props' -o -name '*.targets' -o -name '*.sln' -o -name global.json -o -name nuget.config -o -name .editorconfig \) \
        -newer "$HUB_BUILD_STAMP" -print -quit) ]]
}

# app_build [--force]: one build of the whole solution, reused until a source changes.
app_build() {
    app_require_dotnet
    if [[ ${1:-} != --force ]] && ! app_sources_changed; then
        return 0
    fi
    mkdir -p "$HUB_STATE/log"
    # One build at a time: two ./hub commands started together after a source edit would otherwise both build, and
    # the second to finish would find its start stamp already moved by the first. The lock ends with this function
    # (or with the process, when the build fails); a command that waited for it looks again before building.
    local lock
    exec {lock}>"$HUB_STATE/build.lock"
    flock "$lock"
    if [[ ${1:-} != --force ]] && ! app_sources_changed; then
        exec {lock}>&-
        return 0
    fi
    hub_info "building ($HUB_CONFIGURATION)"
    local started
    started=$(date +%s)
    touch "$HUB_STATE/build.started"
    if ! dotnet build "$HUB_ROOT/SharingHub.sln" -c "$HUB_CONFIGURATION" -nologo -v quiet \
        -clp:ErrorsOnly >"$HUB_STATE/log/build.log" 2>&1; then
        grep -E 'error|Error' "$HUB_STATE/log/build.log" | sort -u | head -n 40 >&2 || true
        hub_die "build failed (full log: $HUB_STATE/log/build.log)"
    fi
    # Stamp with the start time, so a file edited during the build triggers the next one.
    mv "$HUB_STATE/build.started" "$HUB_BUILD_STAMP"
    touch "$HUB_BUILD_STAMP.end"
    exec {lock}>&-
    hub_info "built in $(($(date +%s) - started))s"
}

cmd_build() { app_build --force; }

# app_dll NAME: the built assembly of src/NAME or bench/NAME.
app_dll() {
    local name=$1 dir
    for dir in "$HUB_ROOT/src/$name" "$HUB_ROOT/bench/$name"; do
        if [[ -d $dir ]]; then
            printf '%s\n' "$dir/bin/$HUB_CONFIGURATION/net10.0/SharingHub.$name.dll"
            return 0
        fi
    done
    hub_die "no project named $name under src/ or bench/"
}

# app_exec NAME [ARGS...]: run a project's built dll against this checkout's infrastructure (a host with only its
# own credentials, see hub_host_env).
app_exec() { app_exec_in hub_host_env "$@"; }

# app_exec_admin NAME [ARGS...]: app_exec with the broker's administration credential (benchmarks only).
app_exec_admin() { app_exec_in hub_admin_env "$@"; }

app_exec_in() {
    local env=$1 name=$2 dll
    shift 2
    app_build
    dll=$(app_dll "$name")
    # In a subshell: what the environment function exports or unsets stays with this one program.
    (
        "$env" "$name"
        DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development exec dotnet "$dll" "$@"
    )
}

# ./hub up migrates every host's database each time (`--migrate` applies what is pending and nothing else).
app_migrate() {
    local name
    for name in "${HUB_MIGRATE_PROJECTS[@]}"; do
        app_migrate_project "$name"
    done
}

# app_migrate_project NAME: apply NAME's pending migrations (its dll's --migrate).
app_migrate_project() {
    local name=$1
    hub_info "migrating $name database"
    if ! app_exec "$name" --migrate >"$HUB_STATE/log/migrate-$name.log" 2>&1; then
        tail -n 30 "$HUB_STATE/log/migrate-$name.log" >&2
        hub_die "$name migrations failed (log: $HUB_STATE/log/migrate-$name.log)"
    fi
}

# app_pending_migrations NAME DATABASE: the ids of src/NAME's migrations that DATABASE has not applied, oldest first;
# all of them when it has no migration history yet. Read from the sources (the build that --migrate runs is made from
# them), so the check needs no .NET start.
app_pending_migrations() {
    local name=$1 database=$2 applied=
    # The hosts name columns in snake case, the history table's too (migration_id).
    if [[ $(hub_psql -d "$database" -tA -c "SELECT to_regclass('public.\"__EFMigrationsHistory\"') IS NOT NULL") == t ]]; then
        applied=$(hub_psql -d "$database" -tA -c 'SELECT migration_id FROM "__EFMigrationsHistory"') ||
            hub_die "could not read the $name database's migration history"
    fi
    find "$HUB_ROOT/src/$name" \( -name bin -o -name obj \) -prune -o -path '*/Migrations/*.Designer.cs' -print0 |
        xargs -0 -r grep -ho '\[Migration("[^"]*")\]' | sed 's/^\[Migration("\(.*\)")\]$/\1/' | LC_ALL=C sort |
        grep -vxF -f <(printf '%s\n' "$applied") || true
}

# app_migrate_if_pending NAME DATABASE: migrate NAME's database when this checkout has migrations it lacks (a new
# install, or an install upgraded since its last ./hub up), saying so; nothing when it is current.
app_migrate_if_pending() {
    local name=$1 database=$2 pending count
    pending=$(app_pending_migrations "$name" "$database")
    [[ -n $pending ]] || return 0
    count=$(wc -l <<<"$pending")
    hub_info "the $name database lacks $count of this checkout's migrations (up to $(tail -n1 <<<"$pending")): applying them first"
    app_migrate_project "$name"
}

app_pid_file() { printf '%s\n' "$HUB_STATE/$1.pid"; }
app_log_file() { printf '%s\n' "$HUB_STATE/log/$1.log"; }

# app_wait_ready URL PID NAME: poll /health/ready until 200, or fail with the log's tail.
app_wait_ready() {
    local url=$1 pid=$2 name=$3 i
    for ((i = 0; i < 600; i++)); do
        if ! hub_pid_alive "$pid"; then
            tail -n 40 "$(app_log_file "$name")" >&2
            hub_die "$name exited during start-up (log: $(app_log_file "$name"))"
        fi
        if curl -fsS -o /dev/null --max-time 2 "$url/health/ready" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    tail -n 40 "$(app_log_file "$name")" >&2
    hub_die "$name did not become ready within 60s at $url/health/ready (log: $(app_log_file "$name"))"
}

# app_start_host NAME PORT: start a host in the background unless it already runs the current build.
app_start_host() {
    local name=$1 port=$2 pid_file pid dll url
    pid_file=$(app_pid_file "$name")
    url="http://127.0.0.1:$port"
    pid=$(hub_read_pid "$pid_file" || true)
    if hub_pid_alive "$pid"; then
        if [[ $pid_file -nt $HUB_BUILD_STAMP ]]; then
            hub_info "$name already running (pid $pid)"
            app_wait_ready "$url" "$pid" "$name"
            return 0
        fi
        hub_info "restarting $name on the new build"
        hub_stop_pid "$pid" "$name"
    fi
    local owner
    owner=$(hub_port_owner "$port")
    [[ -z $owner ]] || hub_die "port $port for $name is taken by $owner (set HUB_${name^^}_PORT to another port)"

    # Its role's grants are on tables the other hosts' migrations make: applied now that they ran.
    [[ $name != Provisioner ]] || app_provisioner_grants
    dll=$(app_dll "$name")
    mkdir -p "$HUB_STATE/log"
    (
        hub_host_env "$name"
        cd "$(dirname "$dll")"
        DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development \
            exec nohup dotnet "$dll" --urls "$url" >>"$(app_log_file "$name")" 2>&1 </dev/null
    ) &
    pid=$!
    printf '%s\n' "$pid" >"$pid_file"
    app_wait_ready "$url" "$pid" "$name"
    hub_info "$name ready at $url (pid $pid)"
}

# app_ensure_current_gateway: a Gateway running this build (benchmarks and evaluations measure it): started with the
# rest of the hub when none answers; restarted, after migrating, when the one running predates the build.
# app_provisioner_grants: the provisioner role's grants (src/Provisioner/Database) on both databases. Idempotent.
app_provisioner_grants() {
    infra_pg_provision_provisioner_role
    hub_psql -d sharinghub -v role="$HUB_PG_PROVISIONER_USER" -v ON_ERROR_STOP=1 -q \
        <"$HUB_ROOT/src/Provisioner/Database/gateway-grants.sql" >/dev/null || hub_die "could not grant the provisioner its Gateway columns"
    hub_psql -d sharinghub_identity -v role="$HUB_PG_PROVISIONER_USER" -v ON_ERROR_STOP=1 -q \
        <"$HUB_ROOT/src/Provisioner/Database/identity-grants.sql" >/dev/null || hub_die "could not grant the provisioner Identity's agencies"
}

# app_ensure_hosts: Identity, the Gateway and the provisioner answer (started as ./hub up starts them if not).
app_ensure_hosts() {
    local host name var
    for host in "${HUB_HOSTS[@]}"; do
        name=${host%%:*}
        var=${host#*:}
        curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:${!var}/health/ready" 2>/dev/null && continue
        infra_ensure
        app_build
        app_migrate
        app_start_host "$name" "${!var}" >&2
    done
}

app_ensure_current_gateway() {
    if ! curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$HUB_GATEWAY_PORT/health/ready" 2>/dev/null; then
        cmd_up >&2
        return
    fi
    app_build
    app_migrate
    app_start_host Gateway "$HUB_GATEWAY_PORT" >&2
}

cmd_up() {
    infra_ensure
    hub_save_ports
    app_build
    app_migrate
    local host name var
    for host in "${HUB_HOSTS[@]}"; do
        name=${host%%:*}
        var=${host#*:}
        app_start_host "$name" "${!var}"
    done
    local hook
    while read -r hook; do
        hub_info "running $hook"
        "$hook"
    done < <(declare -F | awk '{print $3}' | grep '^up_hook_' | sort)

    printf '\nSharingHub is up.\n'
    printf '  Gateway   http://127.0.0.1:%s   (log: %s)\n' "$HUB_GATEWAY_PORT" "$(app_log_file Gateway)"
    printf '  Identity  http://127.0.0.1:%s   (log: %s)\n' "$HUB_IDENTITY_PORT" "$(app_log_file Identity)"
    printf '  Provisioner http://127.0.0.1:%s (health only; log: %s)\n' "$HUB_PROVISIONER_PORT" "$(app_log_file Provisioner)"
    printf '  RabbitMQ  management http://127.0.0.1:%s\n' "$HUB_MGMT_PORT"
    local summary
    while read -r summary; do
        "$summary"
    done < <(declare -F | awk '{print $3}' | grep '^up_summary_' | sort)
    printf '  Stop with ./hub down; see ./hub status.\n'
}

# Called by ./hub down before the infrastructure stops.
app_stop() {
    local host name pid
    for host in "${HUB_HOSTS[@]}"; do
        name=${host%%:*}
        pid=$(hub_read_pid "$(app_pid_file "$name")" || true)
        if hub_pid_alive "$pid"; then
            hub_info "stopping $name (pid $pid)"
            hub_stop_pid "$pid" "$name" 20
        fi
        rm -f "$(app_pid_file "$name")"
    done
}

# Called by ./hub status.
app_status() {
    local host name var pid
    for host in "${HUB_HOSTS[@]}"; do
        name=${host%%:*}
        var=${host#*:}
        pid=$(hub_read_pid "$(app_pid_file "$name")" || true)
        if hub_pid_alive "$pid"; then
            printf '%-12s running  pid %-7s http://127.0.0.1:%s  log %s\n' "$name" "$pid" "${!var}" "$(app_log_file "$name")"
        else
            printf '%-12s stopped  log %s\n' "$name" "$(app_log_file "$name")"
        fi
    done
    app_matching_status
}

# The matching backlog (ADR-005): records stored but not yet matched, how long the oldest has waited (the lag
# between commit and match), and how many have had a failed matching run.
app_matching_status() {
    local line pending lag failing
    infra_pg_running 2>/dev/null || return 0
    line=$(hub_psql -d sharinghub -tA -F ' ' -c "SELECT count(*),
            coalesce(round(extract(epoch FROM now() - min(queued_at)))::bigint, 0), count(*) FILTER (WHERE attempts > 0)
        FROM match_pending" 2>/dev/null) || return 0
    read -r pending lag failing <<<"$line"
    printf '%-12s %-8s %s records wait to be matched, the oldest for %s s; %s of them had a failed run (Gateway log)\n' \
        matching "" "$pending" "$lag" "$failing"
}

# app_test_filter FILTER: a plain word selects tests whose full name contains it;
# anything with filter operators is passed to `dotnet test --filter` as it is.
app_test_filter() {
    if [[ $1 =~ [=~!\&\|] ]]; then
        printf '%s\n' "$1"
    else
        printf 'FullyQualifiedName~%s\n' "$1"
    fi
}

# Sums the <Counters> of every TRX file: prints "total passed failed skipped".
app_trx_counts() {
    local dir=$1
    find "$dir" -name '*.trx' -print0 2>/dev/null | xargs -0 -r grep -ho '<Counters [^>]*>' |
        awk '{
            for (i = 1; i <= NF; i++) {
                split($i, kv, "=")
                gsub(/[^0-9]/, "", kv[2])
                c[kv[1]] += kv[2]
            }
        } END {
            printf "%d %d %d %d\n", c["total"], c["passed"], c["failed"] + c["error"] + c["timeout"] + c["aborted"], c["notExecuted"]
        }'
}

# Prints each failed test of the TRX files with the first lines of its message, so that a run's
# tail (all a CI log may keep) says what failed and why. Perl is part of every Debian system.
app_trx_failures() {
    local dir=$1
    find "$dir" -name '*.trx' -print0 2>/dev/null | xargs -0 -r perl -0777 -ne '
        my %xml = (lt => "<", gt => ">", amp => "&", quot => "\"", apos => "\x27");
        while (/<UnitTestResult\s([^>]*?)(\/?)>/g) {
            my ($attributes, $empty) = ($1, $2);
            next unless $attributes =~ /\boutcome="(Failed|Error|Timeout|Aborted)"/;
            my $outcome = $1;
            my ($name) = $attributes =~ /\btestName="([^"]*)"/;
            my $body = $empty ? "" : /\G(.*?)<\/UnitTestResult>/sgc ? $1 : "";
            my ($message) = $body =~ /<Message>(.*?)<\/Message>/s;
            $message //= "(no message)";
            $message =~ s/&(lt|gt|amp|quot|apos);/$xml{$1}/g;
            $message =~ s/&#x([0-9A-Fa-f]+);/chr(hex($1))/ge;
            $message =~ s/&#([0-9]+);/chr($1)/ge;
            $message =~ s/\r//g;
            my @lines = split /\n/, $message;
            splice @lines, 12, @lines - 12, "  ..." if @lines > 12;
            print "FAILED $name ($outcome)\n", map({ "  $_\n" } @lines);
        }'
}

# The stock Node clients the tests run (tests/*/package.json): `npm ci` from their lock files when node_modules is
# missing or older than the lock file, so a test never runs against packages the lock file does not name.
app_test_node_clients() {
    local lock dir
    for lock in "$HUB_ROOT"/tests/*/package-lock.json; do
        dir=$(dirname "$lock")
        [[ -f $dir/node_modules/.package-lock.json && ! $lock -nt $dir/node_modules/.package-lock.json ]] && continue
        command -v npm >/dev/null || hub_die "npm is missing (the tests run Node clients): run ./hub infra"
        hub_info "npm ci in ${dir#"$HUB_ROOT"/}"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2 || hub_die "npm ci failed in $dir"
    done
}

cmd_test() {
    local filter=${1:-}
    infra_ensure
    app_build
    app_test_node_clients
    # Tests create their own virtual hosts and agency users; their in-process Gateway connects as the Gateway's user.
    hub_admin_env
    local results="$HUB_STATE/test-results"
    rm -rf "$results"
    mkdir -p "$results"
    # Exit code 8 is "this test project ran no test" (a filter that matches none of its tests);
    # an empty run as a whole is caught below instead.
    local args=(test --solution "$HUB_ROOT/SharingHub.sln" -c "$HUB_CONFIGURATION" --no-build
        --report-xunit-trx --ignore-exit-code 8 --no-progress)
    local selected=
    [[ -z $filter ]] || selected="($(app_test_filter "$filter"))&"

    # Tests marked Category=Disruptive stop the shared broker or database, so they run alone,
    # after every other test project has finished. Each pass writes its own reports, so that a pass
    # that selects nothing (a broken trait or filter) is seen, not hidden by the other pass's count.
    local rc=0 pass pass_total
    local -A pass_filters=([ordinary]="Category!=Disruptive" [disruptive]="Category=Disruptive")
    for pass in ordinary disruptive; do
        dotnet "${args[@]}" --results-directory "$results/$pass" --filter "${selected}${pass_filters[$pass]}" >&2 || rc=$?
    done

    local total passed failed skipped
    read -r total passed failed skipped < <(app_trx_counts "$results")
    # The whole suite always has tests of both kinds: an empty pass means tests silently stopped running.
    if [[ -z $filter ]]; then
        for pass in ordinary disruptive; do
            read -r pass_total _ < <(app_trx_counts "$results/$pass")
            if ((pass_total == 0)); then
                hub_warn "the $pass pass (${pass_filters[$pass]}) selected no test"
                failed=$((failed + 1))
            fi
        done
    fi
    ((failed == 0)) || app_trx_failures "$results" >&2
    if ((rc != 0 && failed == 0)); then
        hub_warn "the test run failed outside any test (exit $rc); see the output above"
        failed=1
    fi
    if ((total == 0 && failed == 0)); then
        hub_warn "no test ran${filter:+: none matched '$filter'}"
        failed=1
    fi
    if ((skipped > 0)); then
        printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
    else
        printf '%d passed, %d failed\n' "$passed" "$failed"
    fi
    ((failed == 0))
}
