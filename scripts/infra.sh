# shellcheck shell=bash
# ./hub infra | down | status: this checkout's private PostgreSQL and RabbitMQ.
# They run on their own loopback ports with their data under .hub/, next to
# (and never touching) the system's own PostgreSQL and RabbitMQ services.

hub_register infra "infra" "install PostgreSQL/PostGIS/RabbitMQ (and Node.js, Chromium, kubectl) if missing; start the private instances"
hub_register down "down" "stop the app hosts and the private infrastructure (data is kept)"
hub_register status "status" "show what runs: pids, ports, data folders, logs"

INFRA_PACKAGES=(postgresql-15 postgresql-15-postgis-3 rabbitmq-server curl)
INFRA_PG_DATABASES=(sharinghub sharinghub_identity "$HUB_PG_TEMPLATE")
INFRA_PG_EXTENSIONS=(pg_trgm fuzzystrmatch unaccent postgis)

# ================================================================ packages

infra_as_root() {
    if ((EUID == 0)); then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo -n "$@" || hub_die "'sudo $1' failed: run ./hub infra as root or allow passwordless sudo"
    else
        hub_die "installing packages needs root: run ./hub infra as root (or install sudo)"
    fi
}

infra_missing_packages() {
    local p
    for p in "${INFRA_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || printf '%s\n' "$p"
    done
    # Node.js and npm: GraphiQL's bundle at build time and the stock clients the tests run (graphql-http's audit,
    # openid-client). Only when the commands are missing: a Node.js from elsewhere (NodeSource bundles npm) stays.
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        printf '%s\n' nodejs npm
    fi
    # Debian's Chromium: the inbox page's browser test drives it headless with Playwright for .NET, whose driver comes
    # with its NuGet package (ExecutablePath=/usr/bin/chromium: no browser download). A font for its screenshots.
    local browser
    for browser in chromium fonts-dejavu-core; do
        dpkg-query -W -f='${Status}\n' "$browser" 2>/dev/null | grep -q '^install ok installed$' || printf '%s\n' "$browser"
    done
    # kubectl renders deploy/k8s for the manifest checks (tests/Deploy.Tests), with its built-in kustomize. Only when
    # the command is missing: a kubectl from elsewhere stays. See infra_kubectl_offered for where the package comes from.
    command -v kubectl >/dev/null || printf '%s\n' kubectl
}

# infra_kubectl_offered: an apt source offers the package kubectl. Debian itself does not (its kubernetes-client is 1.20,
# too old for the manifests' kustomize); Kubernetes' own repository (pkgs.k8s.io) and Google Cloud's
# (packages.cloud.google.com/apt, where this project's development machine got kubectl 1.32) do.
infra_kubectl_offered() {
    local candidate
    candidate=$(apt-cache policy kubectl 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
    [[ -n $candidate && $candidate != "(none)" ]]
}

infra_install_packages() {
    local missing
    mapfile -t missing < <(infra_missing_packages)
    ((${#missing[@]})) || return 0
    hub_info "installing ${missing[*]}"
    # policy-rc.d exit 101 keeps the packages' maintainer scripts from starting
    # the system postgresql/rabbitmq/epmd services: we never use those.
    local policy=/usr/sbin/policy-rc.d ours=
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' | infra_as_root tee "$policy" >/dev/null
        infra_as_root chmod 755 "$policy"
        ours=1
    fi
    local rc=0 no_kubectl=
    {
        infra_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
            if [[ " ${missing[*]} " == *" kubectl "* ]] && ! infra_kubectl_offered; then
                no_kubectl=1
                false
            else
                infra_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
                    --no-install-recommends "${missing[@]}"
            fi
    } </dev/null >&2 || rc=$?
    [[ -z $ours ]] || infra_as_root rm -f "$policy"
    [[ -z $no_kubectl ]] || hub_die "kubectl is missing and no apt source offers it (Debian's kubernetes-client is 1.20, too" \
        "old for the manifests' kustomize). Add Kubernetes' apt repository as https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/" \
        "says (pkgs.k8s.io, v1.32 or later), or install kubectl otherwise, then run ./hub infra again. The manifest checks" \
        "(tests/Deploy.Tests) fail without it."
    ((rc == 0)) || hub_die "apt-get install ${missing[*]} failed (exit $rc)"
}

# ================================================================ shared checks

# infra_require_free_port PORT VARNAME WHAT
infra_require_free_port() {
    local owner
    owner=$(hub_port_owner "$1")
    [[ -z $owner ]] && return 0
    hub_die "$3 port $1 is already in use (by $owner), perhaps by another checkout's ./hub infra." \
        "Stop it there (./hub down) or pick another port: $2=<port> ./hub infra"
}

# infra_pid_is PID COMM: PID is alive and runs program COMM, which guards
# against stale pid files whose pid was reused.
infra_pid_is() {
    hub_pid_alive "$1" && [[ $(cat "/proc/$1/comm" 2>/dev/null) == "$2" ]]
}

# infra_locked CMD...: run CMD holding .hub/infra.lock (on fd 9), so that
# two ./hub commands of the same checkout (say two test runs) never start or
# stop the same instance at once. Re-entrant within one process. Daemons are
# started with `9>&-`: one that inherited the fd would hold the lock for as
# long as it runs.
INFRA_LOCK_HELD=
infra_locked() {
    if [[ -n $INFRA_LOCK_HELD ]]; then
        "$@"
        return
    fi
    mkdir -p "$HUB_STATE"
    exec 9>>"$HUB_STATE/infra.lock"
    flock -w 300 9 ||
        hub_die "another ./hub command of this checkout has held $HUB_STATE/infra.lock for 5 minutes"
    INFRA_LOCK_HELD=1
    "$@"
    INFRA_LOCK_HELD=
    exec 9>&-
}

infra_tcp_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

infra_prepare_state() {
    mkdir -p "$HUB_STATE/log" "$HUB_RABBIT_DIR/home"
    # postgres (as its own OS user) may need to traverse .hub to reach .hub/pg
    chmod 755 "$HUB_STATE" "$HUB_STATE/log"
}

# ================================================================ PostgreSQL

infra_pg_as_owner() {
    if ((EUID == 0)); then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

infra_pg_pid() { hub_read_pid "$(hub_pg_dir)/data/postmaster.pid"; }

infra_pg_running() {
    local pid
    pid=$(infra_pg_pid) || return 1
    infra_pid_is "$pid" postgres
}

# Port the running postmaster listens on (4th line of postmaster.pid).
infra_pg_running_port() { sed -n 4p "$(hub_pg_dir)/data/postmaster.pid" 2>/dev/null; }

infra_pg_init() {
    local dir=$1
    [[ -f $dir/data/PG_VERSION ]] && return 0
    hub_info "creating PostgreSQL cluster in $dir"
    if [[ $dir != "$HUB_STATE/pg" ]]; then
        hub_info "(the postgres OS user cannot reach $HUB_ROOT, so the cluster lives outside the checkout)"
        ln -sfn "$dir" "$HUB_STATE/pg"
    fi
    mkdir -p "$dir/data" "$dir/run"
    ((EUID != 0)) || chown -R postgres:postgres "$dir"
    chmod 700 "$dir" "$dir/data"
    # C.UTF-8: byte-order collation (fast, deterministic), Unicode character
    # classes (pg_trgm/unaccent treat accented letters as letters).
    infra_pg_as_owner "$HUB_PG_BIN/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256 >"$HUB_STATE/log/initdb.log" 2>&1 ||
        { tail -n 20 "$HUB_STATE/log/initdb.log" >&2; hub_die "initdb failed (log: $HUB_STATE/log/initdb.log)"; }
    printf "\ninclude 'hub.conf'\n" >>"$dir/data/postgresql.conf"
}

# Rewritten on every start so port changes apply.
# shared_buffers: an eighth of the machine's memory, between 512 MB and 4 GB. Matching reads blocking keys and records
# at random; at a million records they take about 2.5 GB, and pages that only the OS caches may be reclaimed from it.
infra_pg_shared_buffers_mb() {
    local kb
    kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
    local mb=$((kb / 1024 / 8))
    ((mb >= 512)) || mb=512
    ((mb <= 4096)) || mb=4096
    printf '%s\n' "$mb"
}

# Huge pages for PostgreSQL's shared memory (huge_pages = try). With 4 kB pages, every backend takes a page fault the
# first time it touches each page of the shared buffers; on a virtual machine that costs tens of microseconds a page,
# and it made matching's random reads ten times slower. As root, ./hub reserves the pages the cluster needs, records
# how many it added in .hub/pg-hugepages, and gives them back when PostgreSQL stops. HUB_PG_HUGE_PAGES=off skips it;
# without the reservation PostgreSQL falls back to normal pages.
infra_pg_reserve_huge_pages() {
    [[ ${HUB_PG_HUGE_PAGES:-on} != off ]] || return 0
    ((EUID == 0)) && [[ -w /proc/sys/vm/nr_hugepages ]] || return 0
    local size_kb free total need add
    size_kb=$(awk '/^Hugepagesize:/ {print $2}' /proc/meminfo)
    [[ $size_kb =~ ^[0-9]+$ ]] && ((size_kb > 0)) || return 0
    # the buffers plus PostgreSQL's other shared memory (connections, WAL buffers, locks)
    need=$(( ($(infra_pg_shared_buffers_mb) + 256) * 1024 / size_kb ))
    free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
    ((free < need)) || return 0
    total=$(cat /proc/sys/vm/nr_hugepages)
    add=$((need - free))
    if printf '%s\n' $((total + add)) >/proc/sys/vm/nr_hugepages 2>/dev/null; then
        add=$(($(cat /proc/sys/vm/nr_hugepages) - total))
        printf '%s\n' "$add" >"$HUB_STATE/pg-hugepages"
        hub_info "reserved $add huge pages ($((add * size_kb / 1024)) MB) for PostgreSQL's shared memory (HUB_PG_HUGE_PAGES=off to skip)"
    fi
}

infra_pg_release_huge_pages() {
    local file=$HUB_STATE/pg-hugepages add total
    [[ -f $file ]] || return 0
    add=$(cat "$file")
    total=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
    if [[ $add =~ ^[0-9]+$ ]] && ((total >= add)); then
        printf '%s\n' $((total - add)) >/proc/sys/vm/nr_hugepages 2>/dev/null || true
    fi
    rm -f "$file"
}

infra_pg_write_config() {
    local data=$1/data run=$1/run me
    me=$(id -un)
    cat >"$data/hub.conf" <<EOF
# written by ./hub infra; edits are overwritten
listen_addresses = '127.0.0.1'
port = $HUB_PG_PORT
unix_socket_directories = '$run'
unix_socket_permissions = 0700
max_connections = 300
shared_buffers = $(infra_pg_shared_buffers_mb)MB
fsync = on
# ingest writes records and about ten blocking keys each: fewer checkpoints mean fewer full-page images in the WAL
max_wal_size = 4GB
checkpoint_timeout = 15min
# lets ./hub bench match measure from a record's commit to its match's commit
track_commit_timestamp = on
# no JIT: the hub's statements are short and many; a candidate load of 20,000 ids crossed jit_above_cost and spent
# 50-80 ms compiling for a 200 ms statement, every time (JIT code is not kept between executions)
jit = off
# backed by the pages infra_pg_reserve_huge_pages reserves, when it can
huge_pages = try
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
EOF
    # Superuser only through the private socket (peer, root -> postgres);
    # everything else with a password over 127.0.0.1.
    cat >"$data/pg_hba.conf" <<'EOF'
# written by ./hub infra; edits are overwritten
local all all                 peer map=hub
host  all all 127.0.0.1/32    scram-sha-256
EOF
    printf '# written by ./hub infra\nhub root postgres\nhub postgres postgres\nhub %s postgres\n' "$me" \
        >"$data/pg_ident.conf"
    ((EUID != 0)) || chown postgres:postgres "$data/hub.conf" "$data/pg_hba.conf" "$data/pg_ident.conf"
}

infra_start_pg() { infra_locked infra_start_pg_unlocked; }

infra_start_pg_unlocked() {
    local dir
    dir=$(hub_pg_dir)
    if infra_pg_running; then
        local port
        port=$(infra_pg_running_port)
        [[ $port == "$HUB_PG_PORT" ]] ||
            hub_die "private PostgreSQL already runs on port $port, not HUB_PG_PORT=$HUB_PG_PORT: ./hub down first"
        infra_pg_ready || infra_pg_provision
        return 0
    fi
    [[ -x $HUB_PG_BIN/postgres ]] || hub_die "PostgreSQL 15 is not installed: ./hub infra"
    infra_prepare_state
    if [[ -f $dir/data/postmaster.pid ]]; then
        hub_info "removing stale $dir/data/postmaster.pid"
        rm -f "$dir/data/postmaster.pid"
    fi
    infra_require_free_port "$HUB_PG_PORT" HUB_PG_PORT PostgreSQL
    infra_pg_init "$dir"
    infra_pg_write_config "$dir"
    infra_pg_reserve_huge_pages
    hub_save_ports
    ln -sfn "pg/data/postmaster.pid" "$HUB_STATE/pg.pid"

    local log=$HUB_STATE/log/postgresql.log
    hub_info "starting PostgreSQL on 127.0.0.1:$HUB_PG_PORT"
    # The log is opened here (as root) and inherited: postgres itself may not
    # be able to write into the checkout.
    if ! infra_pg_as_owner "$HUB_PG_BIN/pg_ctl" start -D "$dir/data" -w -t 60 -s \
        </dev/null >>"$log" 2>&1 9>&-; then
        tail -n 20 "$log" >&2
        hub_die "PostgreSQL did not start (log: $log)"
    fi
    infra_pg_ready || infra_pg_provision
}

# True when the role logs in with the password from .hub/secrets over TCP,
# as the app does, and the databases and extensions exist.
infra_pg_ready() {
    local exts dbs
    exts=$(printf "'%s'," "${INFRA_PG_EXTENSIONS[@]}")
    dbs=$(printf "'%s'," "${INFRA_PG_DATABASES[@]}")
    [[ $(PGPASSWORD=$(hub_secret pg-password) PGCONNECT_TIMEOUT=5 "$HUB_PG_BIN/psql" -X -At \
        -h 127.0.0.1 -p "$HUB_PG_PORT" -U "$HUB_PG_USER" -d "$HUB_PG_TEMPLATE" -c "
        SELECT (SELECT count(*) FROM pg_database WHERE datname IN (${dbs%,}))
             + (SELECT count(*) FROM pg_extension WHERE extname IN (${exts%,}))
             + pg_has_role(current_user, 'pg_checkpoint', 'MEMBER')::int
             + pg_has_role(current_user, 'pg_signal_backend', 'MEMBER')::int
             + (SELECT count(*) FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
                WHERE (d.datname, r.rolname) IN (('sharinghub', '$HUB_PG_GATEWAY_USER'), ('sharinghub_identity', '$HUB_PG_IDENTITY_USER'))
                  AND NOT has_database_privilege('public', d.oid, 'CONNECT'))
             + (SELECT count(*) FROM pg_roles WHERE rolname = '$HUB_PG_PROVISIONER_USER')" 2>/dev/null) \
        == $((${#INFRA_PG_DATABASES[@]} + ${#INFRA_PG_EXTENSIONS[@]} + 5)) ]]
}

# Idempotent: role, databases, extensions; the role password follows .hub/secrets.
infra_pg_provision() {
    hub_info "provisioning PostgreSQL role $HUB_PG_USER, databases and extensions"
    local db e
    local ext_sql="SET client_min_messages = warning;"
    for e in "${INFRA_PG_EXTENSIONS[@]}"; do ext_sql+="CREATE EXTENSION IF NOT EXISTS $e;"; done

    hub_psql -v pw="$(hub_secret pg-password)" -v role="$HUB_PG_USER" <<'SQL'
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" LOGIN CREATEDB PASSWORD :'pw';
-- development only: lets ./hub bench match flush a bulk load before it measures
GRANT pg_checkpoint TO :"role";
-- development only: a test's DROP DATABASE ... WITH (FORCE) may have to end an autovacuum worker in that database
GRANT pg_signal_backend TO :"role";
SQL
    # template1 too, so even a plain CREATE DATABASE gets the extensions.
    hub_psql -d template1 -c "$ext_sql"
    for db in "${INFRA_PG_DATABASES[@]}"; do
        hub_psql -v db="$db" -v role="$HUB_PG_USER" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
        hub_psql -d "$db" -c "$ext_sql"
    done
    hub_psql -c "ALTER DATABASE $HUB_PG_TEMPLATE IS_TEMPLATE true"
    infra_pg_provision_host_role sharinghub "$HUB_PG_GATEWAY_USER" pg-gateway-password
    infra_pg_provision_host_role sharinghub_identity "$HUB_PG_IDENTITY_USER" pg-identity-password
    infra_pg_provision_provisioner_role
}

# The provisioner's login role (ADR-014): it may connect to both hosts' databases, where the grants of
# src/Provisioner/Database (app_provisioner_grants, after the migrations) give it its few columns. Idempotent.
infra_pg_provision_provisioner_role() {
    hub_psql -v role="$HUB_PG_PROVISIONER_USER" -v pw="$(hub_secret pg-provisioner-password)" <<'SQL'
SET client_min_messages = warning;
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw';
GRANT CONNECT ON DATABASE sharinghub TO :"role";
GRANT CONNECT ON DATABASE sharinghub_identity TO :"role";
SQL
}

# infra_pg_provision_host_role DB ROLE SECRET: the host's own login role owns DB and alone may connect to it
# (PUBLIC's CONNECT is revoked), so the Gateway cannot read Identity's accounts and keys, nor Identity the records.
# Objects an earlier provisioning created as the shared role pass to ROLE. Idempotent.
infra_pg_provision_host_role() {
    local db=$1 role=$2 secret=$3
    hub_psql -v db="$db" -v role="$role" -v pw="$(hub_secret "$secret")" <<'SQL'
SET client_min_messages = warning;
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw';
ALTER DATABASE :"db" OWNER TO :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"role";
-- development only, as for the shared role: ./hub bench flushes a bulk load (CHECKPOINT) on the Gateway's database
GRANT pg_checkpoint TO :"role";
SQL
    # Sequences linked to a table follow their table; functions include the audit log's append-only triggers.
    hub_psql -d "$db" -v role="$role" -v old="$HUB_PG_USER" <<'SQL'
SELECT format('ALTER %s %I.%I OWNER TO %I',
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
              n.nspname, c.relname, :'role')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = :'old')
  AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')) \gexec
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, :'role')
FROM pg_proc p WHERE p.proowner = (SELECT oid FROM pg_roles WHERE rolname = :'old') \gexec
SELECT format('ALTER TYPE %I.%I OWNER TO %I', n.nspname, t.typname, :'role')
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typowner = (SELECT oid FROM pg_roles WHERE rolname = :'old') AND t.typtype IN ('e', 'd', 'c')
  AND NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c') \gexec
SELECT format('ALTER SCHEMA %I OWNER TO %I', nspname, :'role')
FROM pg_namespace WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = :'old') \gexec
SQL
}

infra_stop_pg() { infra_locked infra_stop_pg_unlocked; }

infra_stop_pg_unlocked() {
    local dir pid
    dir=$(hub_pg_dir)
    if ! infra_pg_running; then
        rm -f "$HUB_STATE/pg.pid"
        return 0
    fi
    pid=$(infra_pg_pid)
    hub_info "stopping PostgreSQL (pid $pid)"
    infra_pg_as_owner "$HUB_PG_BIN/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 -s >&2 ||
        infra_pg_as_owner "$HUB_PG_BIN/pg_ctl" stop -D "$dir/data" -m immediate -w -t 30 -s >&2 ||
        hub_stop_pid "$pid" PostgreSQL 5
    # pg_ctl returns once postmaster.pid is gone, a moment before the process
    hub_wait_pid_exit "$pid" 10 || true
    rm -f "$HUB_STATE/pg.pid"
    infra_pg_release_huge_pages
}

# ================================================================ epmd

infra_epmd_pid() { hub_read_pid "$HUB_STATE/epmd.pid"; }

infra_epmd_running() {
    local pid
    pid=$(infra_epmd_pid) || return 1
    infra_pid_is "$pid" epmd
}

# Our own epmd, in the foreground under our pid file: an epmd that Erlang
# starts by itself daemonizes on 4369 for all addresses and outlives us.
infra_start_epmd() {
    infra_epmd_running && return 0
    rm -f "$HUB_STATE/epmd.pid"
    infra_require_free_port "$HUB_EPMD_PORT" HUB_EPMD_PORT epmd
    local epmd
    epmd=$(command -v epmd) || hub_die "epmd not found (package erlang-base): ./hub infra"
    setsid nohup "$epmd" -port "$HUB_EPMD_PORT" -address 127.0.0.1 \
        </dev/null >>"$HUB_STATE/log/epmd.log" 2>&1 9>&- &
    echo $! >"$HUB_STATE/epmd.pid"
    local i
    for ((i = 0; i < 50; i++)); do
        infra_tcp_answers "$HUB_EPMD_PORT" && return 0
        infra_epmd_running || break
        sleep 0.1
    done
    hub_die "epmd did not start on 127.0.0.1:$HUB_EPMD_PORT (log: $HUB_STATE/log/epmd.log)"
}

infra_stop_epmd() {
    local pid
    if pid=$(infra_epmd_pid) && infra_pid_is "$pid" epmd; then
        hub_stop_pid "$pid" epmd 10
    fi
    rm -f "$HUB_STATE/epmd.pid"
}

# ================================================================ RabbitMQ

infra_rabbit_pid() { hub_read_pid "$HUB_STATE/rabbit.pid"; }

infra_rabbit_running() {
    local pid
    pid=$(infra_rabbit_pid) || return 1
    infra_pid_is "$pid" beam.smp
}

# Rewritten on every start so port and password changes apply. The default
# user is created only when the node's database is new: it replaces guest.
infra_rabbit_write_config() {
    local d=$HUB_RABBIT_DIR pw
    pw=$(hub_secret rabbit-password)
    (
        umask 077
        cat >"$d/rabbitmq.conf" <<EOF
# written by ./hub infra; edits are overwritten
listeners.tcp.1 = 127.0.0.1:$HUB_AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $HUB_MGMT_PORT
disk_free_limit.absolute = 50MB
# 128 MiB: above the largest legitimate batch (5,000 records at their longest; ADR-007); the Gateway refuses
# a larger body before reading it (Ingestion:MaxMessageBytes).
max_message_size = 134217728
default_user = $HUB_RABBIT_USER
default_pass = $pw
# the administration user (management API); the Gateway has a user of its own (infra_rabbit_provision)
default_user_tags.administrator = true
# kept for operator tools that re-publish a message under its agency's user_id; the Gateway needs no such tag
default_user_tags.impersonator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
log.console = false
log.file.level = info
EOF
    )
    printf '[rabbitmq_management].\n' >"$d/enabled_plugins"
    printf '[].\n' >"$d/advanced.config"
    printf '# ./hub: keeps /etc/rabbitmq/rabbitmq-env.conf out of this node\n' >"$d/rabbitmq-env.conf"
}

infra_rabbit_log_tail() {
    local f
    for f in "$HUB_STATE/log/rabbit-server.log" "$HUB_STATE"/log/rabbit/*.log; do
        [[ -f $f ]] || continue
        printf -- '--- %s\n' "$f" >&2
        tail -n 15 "$f" >&2
    done
}

infra_start_rabbit() { infra_locked infra_start_rabbit_unlocked; }

infra_start_rabbit_unlocked() {
    if infra_rabbit_running; then
        infra_tcp_answers "$HUB_AMQP_PORT" ||
            hub_die "private RabbitMQ (pid $(infra_rabbit_pid)) does not answer on HUB_AMQP_PORT=$HUB_AMQP_PORT: ./hub down first"
        infra_rabbit_provision
        return 0
    fi
    [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || hub_die "rabbitmq-server is not installed: ./hub infra"
    infra_prepare_state
    rm -f "$HUB_STATE/rabbit.pid"
    infra_require_free_port "$HUB_AMQP_PORT" HUB_AMQP_PORT "RabbitMQ AMQP"
    infra_require_free_port "$HUB_MGMT_PORT" HUB_MGMT_PORT "RabbitMQ management"
    infra_require_free_port "$HUB_DIST_PORT" HUB_DIST_PORT "RabbitMQ distribution"
    infra_start_epmd
    infra_rabbit_write_config
    hub_save_ports

    hub_info "starting RabbitMQ on 127.0.0.1:$HUB_AMQP_PORT (management 127.0.0.1:$HUB_MGMT_PORT)"
    (
        hub_rabbit_env
        cd "$HUB_RABBIT_DIR"
        setsid nohup rabbitmq-server </dev/null >>"$HUB_STATE/log/rabbit-server.log" 2>&1 9>&- &
        infra_rabbit_await_boot $!
    ) || {
        infra_rabbit_log_tail
        hub_die "RabbitMQ did not start (logs: $HUB_STATE/log/rabbit-server.log, $HUB_STATE/log/rabbit/)"
    }
    infra_rabbit_provision
}

# infra_rabbit_await_boot WRAPPER_PID (in hub_rabbit_env): the node writes its
# pid file early in the boot, unless it dies first (bad config, port taken);
# rabbitmqctl wait then follows the boot to its end or to the node's death.
infra_rabbit_await_boot() {
    local wrapper=$1 i
    for ((i = 0; i < 600; i++)); do
        [[ -s $RABBITMQ_PID_FILE ]] && break
        hub_pid_alive "$wrapper" || return 1
        sleep 0.1
    done
    rabbitmqctl -q wait --timeout 90 "$RABBITMQ_PID_FILE" >/dev/null 2>&1
}

# The Gateway's broker user may configure, write and read only the hub's own queues and exchanges: the records
# queue and its error queue (each with the exchange of the same name), and the record message-type exchanges it
# declares and binds (SharingHub.Contracts.V1:*), which it may read but not write. For alert delivery it declares the
# alerts exchange, the agencies' alert queues and the dead-letter queue, publishes to the exchange and binds the queues
# (binding needs write on the queue and read on the exchange); it may not read an agency's alert queue. It has no
# tags. docs/security.md lists these patterns, and BrokerPermissionsTests compares them with the live broker.
INFRA_GATEWAY_CONFIGURE='^(sharinghub-records(_error)?|SharingHub\.Contracts\.V1:.*|sharinghub-alerts(-dead|\.[A-Za-z0-9_-]+)?)$'
INFRA_GATEWAY_WRITE='^(sharinghub-records(_error)?|sharinghub-alerts(-dead|\.[A-Za-z0-9_-]+)?)$'
INFRA_GATEWAY_READ='^(sharinghub-records(_error)?|SharingHub\.Contracts\.V1:.*|sharinghub-alerts(-dead)?)$'

# The administration user comes from rabbitmq.conf when the node's database is new; this repairs a node whose users
# predate the current .hub/secrets. Then the Gateway's user is created or brought to its password, tags and
# permissions, every time: an install from before it existed converges at its next ./hub infra or ./hub up.
infra_rabbit_provision() {
    local pw url="http://127.0.0.1:$HUB_MGMT_PORT"
    pw=$(hub_secret rabbit-password)
    if ! curl -fsS --retry 10 --retry-connrefused --retry-delay 1 \
        -u "$HUB_RABBIT_USER:$pw" "$url/api/whoami" 2>/dev/null | grep -q administrator ||
        curl -fsS -o /dev/null -u "$HUB_RABBIT_USER:$pw" "$url/api/users/guest" 2>/dev/null; then
        hub_info "provisioning RabbitMQ user $HUB_RABBIT_USER"
        hub_rabbitmqctl add_user "$HUB_RABBIT_USER" "$pw" >/dev/null 2>&1 ||
            hub_rabbitmqctl change_password "$HUB_RABBIT_USER" "$pw" >/dev/null
        hub_rabbitmqctl set_user_tags "$HUB_RABBIT_USER" administrator impersonator >/dev/null
        hub_rabbitmqctl set_permissions -p / "$HUB_RABBIT_USER" '.*' '.*' '.*' >/dev/null
        hub_rabbitmqctl delete_user guest >/dev/null 2>&1 || true
    fi
    hub_rabbit_api PUT "users/$HUB_RABBIT_GATEWAY_USER" \
        "{\"password\":\"$(hub_secret rabbit-gateway-password)\",\"tags\":\"\"}" ||
        hub_die "could not create the RabbitMQ user $HUB_RABBIT_GATEWAY_USER"
    hub_rabbit_api PUT "permissions/%2F/$HUB_RABBIT_GATEWAY_USER" \
        "{\"configure\":\"${INFRA_GATEWAY_CONFIGURE//\\/\\\\}\",\"write\":\"${INFRA_GATEWAY_WRITE//\\/\\\\}\",\"read\":\"${INFRA_GATEWAY_READ//\\/\\\\}\"}" ||
        hub_die "could not set the RabbitMQ permissions of $HUB_RABBIT_GATEWAY_USER"
    # An alert message that keeps coming back (x-delivery-limit on each agency's alert queue) is dead-lettered to the
    # operators' queue rather than dropped: a policy, since a dead-letter queue argument would need the Gateway to read
    # the agencies' queues (RabbitMQ checks read on the queue and write on the dead-letter exchange at declaration).
    hub_rabbit_api PUT "policies/%2F/sharinghub-alerts-dead-letter" \
        '{"pattern":"^sharinghub-alerts\\.","apply-to":"queues","priority":0,"definition":{"dead-letter-exchange":"sharinghub-alerts-dead"}}' ||
        hub_die "could not set the broker policy sharinghub-alerts-dead-letter"
}

infra_stop_rabbit() { infra_locked infra_stop_rabbit_unlocked; }

infra_stop_rabbit_unlocked() {
    local pid
    if pid=$(infra_rabbit_pid) && infra_pid_is "$pid" beam.smp; then
        hub_info "stopping RabbitMQ (pid $pid)"
        if infra_epmd_running; then
            (hub_rabbit_env && rabbitmqctl -q -t 60 stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1) || true
        fi
        hub_wait_pid_exit "$pid" 5 || hub_stop_pid "$pid" RabbitMQ 30
    fi
    rm -f "$HUB_STATE/rabbit.pid"
}

# ================================================================ entry points

# Start whatever is not running (used by up and test).
infra_ensure() { infra_locked infra_ensure_unlocked; }

infra_ensure_unlocked() {
    infra_install_packages
    infra_prepare_state
    infra_start_pg_unlocked
    infra_start_rabbit_unlocked
}

infra_stop() { infra_locked infra_stop_unlocked; }

infra_stop_unlocked() {
    infra_stop_rabbit_unlocked
    infra_stop_epmd
    infra_stop_pg_unlocked
}

# Stop and delete this checkout's databases and broker data (logs and
# secrets stay). CI uses it so that its throw-away clones leave nothing in
# /var/tmp behind.
infra_purge() { infra_locked infra_purge_unlocked; }

infra_purge_unlocked() {
    infra_stop_unlocked
    local dir
    dir=$(hub_pg_dir)
    [[ $dir == "$HUB_STATE/pg" || $dir == /var/tmp/sharinghub-pg-* ]] ||
        hub_die "refusing to delete $dir: not a folder ./hub infra made"
    hub_info "deleting $dir and $HUB_RABBIT_DIR/mnesia"
    rm -rf "$dir" "$HUB_STATE/pg" "$HUB_RABBIT_DIR/mnesia" "$HUB_STATE/pg.pid"
}

# Hidden sub-commands (for tests that stop a service mid-run, and for CI):
# start-pg, stop-pg, start-rabbit, stop-rabbit, purge.
cmd_infra() {
    case ${1:-} in
    "") infra_ensure && infra_print_status >&2 ;;
    start-pg) infra_start_pg ;;
    stop-pg) infra_stop_pg ;;
    start-rabbit) infra_start_rabbit ;;
    stop-rabbit) infra_stop_rabbit ;;
    purge) infra_purge ;;
    *) hub_die "usage: ./hub infra [start-pg|stop-pg|start-rabbit|stop-rabbit|purge]" ;;
    esac
}

cmd_down() {
    (($# == 0)) || hub_die "usage: ./hub down"
    local rc=0
    if declare -F app_stop >/dev/null; then
        app_stop || { rc=$? && hub_warn "app_stop failed (exit $rc); stopping the infrastructure anyway"; }
    fi
    infra_stop
    return "$rc"
}

# ================================================================ status

infra_status_line() { printf '%-12s %-8s %s\n' "$1" "$2" "$3"; }

infra_print_status() {
    local pid dir
    dir=$(hub_pg_dir)
    if infra_pg_running; then
        pid=$(infra_pg_pid)
        infra_status_line PostgreSQL running "pid $pid, 127.0.0.1:$(infra_pg_running_port), socket $dir/run"
    else
        infra_status_line PostgreSQL stopped "port $HUB_PG_PORT"
    fi
    infra_status_line "" "" "data $dir/data"
    infra_status_line "" "" "databases sharinghub ($HUB_PG_GATEWAY_USER), sharinghub_identity ($HUB_PG_IDENTITY_USER), template $HUB_PG_TEMPLATE; role $HUB_PG_USER"

    if infra_rabbit_running; then
        pid=$(infra_rabbit_pid)
        infra_status_line RabbitMQ running "pid $pid, amqp 127.0.0.1:$HUB_AMQP_PORT, management http://127.0.0.1:$HUB_MGMT_PORT"
    else
        infra_status_line RabbitMQ stopped "amqp port $HUB_AMQP_PORT, management port $HUB_MGMT_PORT"
    fi
    infra_status_line "" "" "node $(hub_rabbit_node), distribution port $HUB_DIST_PORT"
    infra_status_line "" "" "data $HUB_RABBIT_DIR/mnesia; users $HUB_RABBIT_USER (admin), $HUB_RABBIT_GATEWAY_USER (Gateway)"

    if infra_epmd_running; then
        infra_status_line epmd running "pid $(infra_epmd_pid), 127.0.0.1:$HUB_EPMD_PORT"
    else
        infra_status_line epmd stopped "port $HUB_EPMD_PORT"
    fi
    infra_status_line logs "" "$HUB_STATE/log/ (postgresql.log, rabbit/, rabbit-server.log, epmd.log)"
    infra_status_line secrets "" "$HUB_STATE/secrets/ (pg-password, rabbit-password, rabbit-gateway-password)"
}

cmd_status() {
    infra_print_status
    # ./hub cluster's nodes and Gateways, when any of them runs
    if declare -F cluster_running >/dev/null && cluster_running; then cluster_print_status; fi
    if declare -F app_status >/dev/null; then app_status; fi
}
