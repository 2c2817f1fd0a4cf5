# shellcheck shell=bash
# Shared helpers for ./hub: paths, ports, logging, command registry, secrets,
# the environment .NET hosts and tests use, and wrappers for the private
# PostgreSQL and RabbitMQ instances. Sourced first by ./hub.

: "${HUB_ROOT:?HUB_ROOT must be set by ./hub}"
export HUB_ROOT
export HUB_STATE="$HUB_ROOT/.hub"

# ---------------------------------------------------------------- logging

hub_info() { printf '==> %s\n' "$*" >&2; }
hub_warn() { printf 'hub: warning: %s\n' "$*" >&2; }
hub_die() {
    printf 'hub: error: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------- command registry

HUB_CMD_NAMES=()
HUB_CMD_USAGES=()
HUB_CMD_DESCS=()

# hub_register NAME USAGE DESCRIPTION: list `./hub NAME` in the help.
# The command itself is the shell function cmd_NAME (dashes -> underscores).
hub_register() {
    HUB_CMD_NAMES+=("$1")
    HUB_CMD_USAGES+=("$2")
    HUB_CMD_DESCS+=("$3")
}

# The verbs of `./hub bench`: each script adds its own with hub_bench_verb, so no script edits another's function.
declare -A HUB_BENCH_VERBS=() HUB_BENCH_USAGES=()

# hub_bench_verb VERB FUNCTION USAGE DESCRIPTION: `./hub bench VERB ARGS...` runs FUNCTION ARGS...
hub_bench_verb() {
    HUB_BENCH_VERBS[$1]=$2
    HUB_BENCH_USAGES[$1]="$3
    $4"
    hub_register "bench $1" "$3" "$4"
}

cmd_bench() {
    local verb=${1:-} verbs
    if [[ -z $verb || -z ${HUB_BENCH_VERBS[$verb]:-} ]]; then
        verbs=$(printf '%s\n' "${!HUB_BENCH_VERBS[@]}" | LC_ALL=C sort | paste -sd'|')
        hub_die "usage: ./hub bench $verbs [options] (./hub help lists each one's options)"
    fi
    shift
    # Asking for help starts nothing: a benchmark builds, starts the hub and loads data before it reads its options.
    if [[ " $* " =~ \ (-h|--help|help)\  ]]; then
        printf 'usage: ./hub %b\n' "${HUB_BENCH_USAGES[$verb]}"
        return 0
    fi
    "${HUB_BENCH_VERBS[$verb]}" "$@"
}

# ---------------------------------------------------------------- ports

# Precedence: environment, then the ports the last `./hub infra` of this
# checkout started with (so a checkout started on other ports keeps being
# reachable without repeating the variables), then the defaults.
hub_load_ports() {
    local file="$HUB_STATE/ports.env" line name value
    [[ -f $file ]] || return 0
    local amqp_from_env=${HUB_AMQP_PORT:-}
    while IFS='=' read -r name value; do
        [[ $name =~ ^HUB_[A-Z]+_PORT$ && $value =~ ^[0-9]+$ ]] || continue
        # epmd and distribution ports follow an AMQP port given in the environment
        [[ -n $amqp_from_env && $name =~ ^HUB_(EPMD|DIST)_PORT$ ]] && continue
        [[ -n ${!name:-} ]] || printf -v "$name" '%s' "$value"
    done <"$file"
}

hub_save_ports() {
    mkdir -p "$HUB_STATE"
    printf '%s\n' "HUB_PG_PORT=$HUB_PG_PORT" "HUB_AMQP_PORT=$HUB_AMQP_PORT" \
        "HUB_MGMT_PORT=$HUB_MGMT_PORT" "HUB_EPMD_PORT=$HUB_EPMD_PORT" \
        "HUB_DIST_PORT=$HUB_DIST_PORT" \
        "HUB_GATEWAY_PORT=${HUB_GATEWAY_PORT:-5080}" "HUB_IDENTITY_PORT=${HUB_IDENTITY_PORT:-5090}" \
        "HUB_PROVISIONER_PORT=${HUB_PROVISIONER_PORT:-$((${HUB_IDENTITY_PORT:-5090} + 10))}" >"$HUB_STATE/ports.env"
}

hub_load_ports
: "${HUB_PG_PORT:=5433}"
: "${HUB_AMQP_PORT:=5673}"
: "${HUB_MGMT_PORT:=15673}"
# epmd and Erlang distribution ports follow the AMQP port (5673 -> 4373, 25673)
# so a second checkout only has to move HUB_AMQP_PORT to get a full set of its own.
: "${HUB_EPMD_PORT:=$((HUB_AMQP_PORT - 1300))}"
: "${HUB_DIST_PORT:=$((HUB_AMQP_PORT + 20000))}"
export HUB_PG_PORT HUB_AMQP_PORT HUB_MGMT_PORT HUB_EPMD_PORT HUB_DIST_PORT

for hub_port_var in HUB_PG_PORT HUB_AMQP_PORT HUB_MGMT_PORT HUB_EPMD_PORT HUB_DIST_PORT; do
    if [[ ! ${!hub_port_var} =~ ^[0-9]+$ ]] || ((${!hub_port_var} < 1 || ${!hub_port_var} > 65535)); then
        hub_die "$hub_port_var=${!hub_port_var} is not a TCP port"
    fi
done
unset hub_port_var

# ---------------------------------------------------------------- small utilities

# A zombie counts as dead: PID 1 of this container reaps orphans late, so a
# killed daemon can linger as a zombie for seconds.
hub_pid_alive() {
    [[ ${1:-} =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

hub_read_pid() { [[ -f $1 ]] && head -n1 "$1" | tr -dc '0-9'; }

# Prints "pid/name" of whoever listens on TCP PORT (any address), nothing if free.
hub_port_owner() {
    local port=$1
    if command -v ss >/dev/null; then
        local line
        line=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n1) || true
        [[ -n $line ]] || return 0
        if [[ $line =~ \"([^\"]+)\",pid=([0-9]+) ]]; then
            printf '%s/%s\n' "${BASH_REMATCH[2]}" "${BASH_REMATCH[1]}"
        else
            printf 'unknown process\n'
        fi
    elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        printf 'unknown process\n'
    fi
}

# hub_stop_pid PID NAME [TIMEOUT]: TERM, wait, then KILL.
hub_stop_pid() {
    local pid=$1 name=$2 timeout=${3:-30} i
    hub_pid_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do
        hub_pid_alive "$pid" || return 0
        sleep 0.1
    done
    hub_warn "$name (pid $pid) did not stop within ${timeout}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
}

# hub_wait_pid_exit PID TIMEOUT: 0 once PID is gone, 1 on timeout.
hub_wait_pid_exit() {
    local pid=$1 timeout=$2 i
    for ((i = 0; i < timeout * 10; i++)); do
        hub_pid_alive "$pid" || return 0
        sleep 0.1
    done
    return 1
}

# Short, stable id of this checkout (used in node and folder names).
hub_checkout_id() { printf '%s' "$HUB_ROOT" | sha256sum | cut -c1-10; }

# ---------------------------------------------------------------- secrets

# hub_secret NAME: prints the development secret NAME, generating it on first use.
# Secrets live in .hub/secrets (git-ignored, mode 600): nothing secret is committed.
hub_secret() {
    local dir="$HUB_STATE/secrets" file="$HUB_STATE/secrets/$1"
    if [[ ! -s $file ]]; then
        (umask 077 && mkdir -p "$dir" &&
            head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file.tmp" &&
            mv "$file.tmp" "$file")
    fi
    cat "$file"
}

# ---------------------------------------------------------------- environment for .NET hosts and tests

export HUB_PG_BIN=/usr/lib/postgresql/15/bin
export HUB_PG_USER=sharinghub
# Each host's own PostgreSQL role: it owns its database and cannot connect to the other's.
export HUB_PG_GATEWAY_USER=sharinghub_gateway
export HUB_PG_IDENTITY_USER=sharinghub_identity
# The provisioner's role: reads the agency registry, writes the observed broker state and Identity's agencies, nothing
# else (src/Provisioner/Database/*-grants.sql, ADR-014).
export HUB_PG_PROVISIONER_USER=sharinghub_provisioner
export HUB_PG_TEMPLATE=sharinghub_template
# The broker's administration user: the management API (agency users, test virtual hosts). No host ever gets it.
export HUB_RABBIT_USER=sharinghub
# The Gateway's own broker user: the hub's queues and exchanges only, no tags (scripts/infra.sh, docs/security.md).
export HUB_RABBIT_GATEWAY_USER=sharinghub-gateway

# hub_env: export what the Gateway, Identity and the hub's tools need to reach this checkout's private
# infrastructure. DEVELOPMENT DEFAULTS ONLY: local loopback services with generated passwords from .hub/secrets.
# The broker's administration credential is not part of it (see hub_admin_env), and is removed if an earlier step
# of the same command exported it, so that no host started afterwards inherits it.
hub_env() {
    local pg_pw gateway_pw pg
    pg_pw=$(hub_secret pg-password)
    gateway_pw=$(hub_secret rabbit-gateway-password)
    pg="Host=127.0.0.1;Port=$HUB_PG_PORT;Username=$HUB_PG_USER;Password=$pg_pw"

    # Each host as its own role (infra_pg_provision): neither can read the other's database.
    export ConnectionStrings__hubdb="Host=127.0.0.1;Port=$HUB_PG_PORT;Username=$HUB_PG_GATEWAY_USER;Password=$(hub_secret pg-gateway-password);Database=sharinghub"
    export ConnectionStrings__identitydb="Host=127.0.0.1;Port=$HUB_PG_PORT;Username=$HUB_PG_IDENTITY_USER;Password=$(hub_secret pg-identity-password);Database=sharinghub_identity"
    # DEVELOPMENT DEFAULTS: Identity's at-rest secrets, generated in .hub/secrets: the passphrase of its signing-key
    # file and the password of the certificate that encrypts its data-protection keys (.hub/identity/*.pfx).
    export Keys__Passphrase="$(hub_secret identity-keys-passphrase)"
    export DataProtection__CertificatePassword="$(hub_secret identity-data-protection-password)"
    export ConnectionStrings__rabbitmq="amqp://$HUB_RABBIT_GATEWAY_USER:$gateway_pw@127.0.0.1:$HUB_AMQP_PORT/"
    # Role with CREATEDB that owns $HUB_PG_TEMPLATE: tests create per-test
    # databases with `CREATE DATABASE x TEMPLATE sharinghub_template`.
    export HUB_PG_ADMIN="$pg;Database=postgres"
    export HUB_PG_TEMPLATE
    export HUB_RABBIT_MGMT_URL="http://127.0.0.1:$HUB_MGMT_PORT"
    # The provisioner's role, without a database: the tests point it at their own databases.
    export HUB_PG_PROVISIONER="Host=127.0.0.1;Port=$HUB_PG_PORT;Username=$HUB_PG_PROVISIONER_USER;Password=$(hub_secret pg-provisioner-password)"
    unset HUB_RABBIT_ADMIN_USER HUB_RABBIT_ADMIN_PASSWORD HUB_RABBIT_ADMIN_URL
}

# hub_host_env NAME: hub_env less what host NAME must not hold: the other host's database, Identity's at-rest
# secrets in the Gateway, the broker in Identity, and the tests' PostgreSQL admin role in either. Other programs
# (tools, benchmarks) get hub_env as it is.
hub_host_env() {
    hub_env
    case ${1:-} in
        Gateway) unset ConnectionStrings__identitydb Keys__Passphrase DataProtection__CertificatePassword ;;
        Identity)
            unset ConnectionStrings__hubdb ConnectionStrings__rabbitmq
            # The officer's page (sharinghub-web, the second client of appsettings.Development.json) is served by this
            # checkout's Gateway, whose port may be overridden: its redirect URIs follow.
            export Seeding__Clients__1__RedirectUris__0="http://127.0.0.1:${HUB_GATEWAY_PORT:-5080}/inbox"
            export Seeding__Clients__1__PostLogoutRedirectUris__0="http://127.0.0.1:${HUB_GATEWAY_PORT:-5080}/inbox"
            ;;
        Provisioner)
            # Its own role on both databases, and the broker administration credential: the one host that holds it.
            export ConnectionStrings__hubdb="$HUB_PG_PROVISIONER;Database=sharinghub"
            export ConnectionStrings__identitydb="$HUB_PG_PROVISIONER;Database=sharinghub_identity"
            unset ConnectionStrings__rabbitmq Keys__Passphrase DataProtection__CertificatePassword
            export Provisioner__ManagementUri="http://127.0.0.1:$HUB_MGMT_PORT/"
            export Provisioner__AdminUser="$HUB_RABBIT_USER"
            Provisioner__AdminPassword="$(hub_secret rabbit-password)"
            export Provisioner__AdminPassword
            export Provisioner__HandoverDirectory="$HUB_STATE/agencies"
            ;;
        *) return 0 ;;
    esac
    unset HUB_PG_ADMIN HUB_PG_TEMPLATE HUB_RABBIT_MGMT_URL HUB_PG_PROVISIONER
}

# hub_admin_env: hub_env plus the broker's administration credential, for the test suites and the benchmarks
# (they create virtual hosts, users and queues of their own). Never for a host.
hub_admin_env() {
    hub_env
    local admin_pw
    admin_pw=$(hub_secret rabbit-password)
    export HUB_RABBIT_ADMIN_USER="$HUB_RABBIT_USER"
    export HUB_RABBIT_ADMIN_PASSWORD="$admin_pw"
    export HUB_RABBIT_ADMIN_URL="amqp://$HUB_RABBIT_USER:$admin_pw@127.0.0.1:$HUB_AMQP_PORT/"
}

# ---------------------------------------------------------------- private PostgreSQL

# As root, the cluster runs as the postgres OS user (initdb refuses root).
# It lives in .hub/pg, unless postgres cannot reach the checkout (e.g. a
# `mktemp -d` clone, mode 700): then .hub/pg is a symlink to a per-checkout
# folder under /var/tmp. hub_pg_dir prints the real folder.
hub_pg_dir() {
    if [[ -L $HUB_STATE/pg || -d $HUB_STATE/pg ]]; then
        readlink -f "$HUB_STATE/pg"
    elif ((EUID != 0)) || runuser -u postgres -- test -x "$HUB_ROOT" 2>/dev/null; then
        printf '%s\n' "$HUB_STATE/pg"
    else
        printf '%s\n' "/var/tmp/sharinghub-pg-$(hub_checkout_id)"
    fi
}

# hub_psql ARGS...: psql as the cluster superuser over the private unix socket.
hub_psql() {
    local dir
    dir=$(hub_pg_dir)
    [[ -S $dir/run/.s.PGSQL.$HUB_PG_PORT ]] ||
        hub_die "private PostgreSQL is not running on port $HUB_PG_PORT (./hub infra)"
    PGHOST="$dir/run" PGPORT="$HUB_PG_PORT" PGUSER=postgres PGDATABASE=postgres \
        "$HUB_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}

# ---------------------------------------------------------------- private RabbitMQ

HUB_RABBIT_DIR="$HUB_STATE/rabbit"

hub_rabbit_node() { printf 'hub-%s@localhost\n' "$(hub_checkout_id)"; }

# hub_rabbit_env: the environment that points RabbitMQ's server and CLI tools
# at this checkout's node, its own epmd and config, never the system ones.
hub_rabbit_env() {
    local d=$HUB_RABBIT_DIR
    RABBITMQ_NODENAME=$(hub_rabbit_node)
    export RABBITMQ_NODENAME
    export HOME="$d/home"
    export PATH="/usr/lib/rabbitmq/bin:$PATH"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$HUB_AMQP_PORT"
    export RABBITMQ_DIST_PORT="$HUB_DIST_PORT"
    export RABBITMQ_CONF_ENV_FILE="$d/rabbitmq-env.conf"
    export RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins"
    export RABBITMQ_MNESIA_BASE="$d/mnesia"
    export RABBITMQ_LOG_BASE="$HUB_STATE/log/rabbit"
    export RABBITMQ_PID_FILE="$HUB_STATE/rabbit.pid"
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    # CLI tools are Erlang nodes too: keep their distribution on loopback and
    # make them fail instead of spawning an epmd of their own.
    export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export ERL_EPMD_PORT="$HUB_EPMD_PORT"
    export ERL_EPMD_ADDRESS=127.0.0.1
    export ERL_FLAGS="-start_epmd false"
}

# hub_rabbitmqctl ARGS...: rabbitmqctl against this checkout's node.
hub_rabbitmqctl() {
    [[ -x /usr/lib/rabbitmq/bin/rabbitmqctl ]] || hub_die "rabbitmq-server is not installed (./hub infra)"
    hub_pid_alive "$(hub_read_pid "$HUB_STATE/epmd.pid")" ||
        hub_die "private RabbitMQ is not running (./hub infra)"
    (hub_rabbit_env && rabbitmqctl -q "$@")
}

# hub_rabbit_api METHOD PATH [JSON]: the management API as the administration user. Its password is read here and
# exported nowhere, so a host that the same command starts later cannot inherit it.
hub_rabbit_api() {
    local method=$1 path=$2 body=${3:-}
    curl -fsS -o /dev/null -X "$method" -u "$HUB_RABBIT_USER:$(hub_secret rabbit-password)" \
        -H 'content-type: application/json' ${body:+--data "$body"} "http://127.0.0.1:$HUB_MGMT_PORT/api/$path"
}
