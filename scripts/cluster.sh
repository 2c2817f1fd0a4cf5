# shellcheck shell=bash
# ./hub cluster up | down | status: the scale-out proof on one machine (issue 15 item 5). Three private RabbitMQ nodes
# clustered on loopback, and two Gateway processes against the checkout's one PostgreSQL, competing consumers of the
# records quorum queue. Every port is an offset (+1..+3) of this checkout's own (.hub/ports.env), so two checkouts
# never collide; the nodes register with the checkout's own epmd (./hub infra) and share one Erlang cookie (their
# common HOME under .hub/cluster). `cluster down` stops exactly what `cluster up` started: the single-node broker of
# ./hub infra, PostgreSQL and the hosts of ./hub up are left alone.

hub_register cluster "cluster up|down|status" "3-node RabbitMQ cluster and 2 Gateways on loopback (ports: this checkout's + 1..3)"
hub_bench_verb chaos cluster_bench_chaos "bench chaos [--records N] [--keep]" \
    "on ./hub cluster: N records (default 100,000) from 4 agencies with known matches while a broker node stops, a Gateway is killed and PostgreSQL restarts; fails on any loss or duplicate"

CLUSTER_NODES=(1 2 3)
CLUSTER_GATEWAYS=(1 2)
CLUSTER_DIR="$HUB_STATE/cluster"

# Ports and names of node I and Gateway I, all offsets of the checkout's own.
cluster_amqp_port() { printf '%s\n' $((HUB_AMQP_PORT + $1)); }
cluster_mgmt_port() { printf '%s\n' $((HUB_MGMT_PORT + $1)); }
cluster_dist_port() { printf '%s\n' $((HUB_DIST_PORT + $1)); }
cluster_gateway_port() { printf '%s\n' $((HUB_GATEWAY_PORT + $1)); }
cluster_node_name() { printf 'hub-%s-c%s@localhost\n' "$(hub_checkout_id)" "$1"; }
cluster_node_dir() { printf '%s\n' "$CLUSTER_DIR/node$1"; }
cluster_node_pid_file() { printf '%s\n' "$CLUSTER_DIR/node$1.pid"; }
cluster_gateway_name() { printf 'Gateway-c%s\n' "$1"; }
# The cluster's provisioner: ./hub up's, pointed at node 1's management API, on the checkout's provisioner port + 1.
cluster_provisioner_port() { printf '%s\n' $((HUB_PROVISIONER_PORT + 1)); }
CLUSTER_PROVISIONER_NAME=Provisioner-c

# cluster_nodes_list: host:port of every node, as Broker:Nodes and the connector's --broker-nodes take them.
cluster_nodes_list() {
    local i out=
    for i in "${CLUSTER_NODES[@]}"; do out+="127.0.0.1:$(cluster_amqp_port "$i"),"; done
    printf '%s\n' "${out%,}"
}

# cluster_env I: the environment of node I's server and of the CLI tools that talk to it (hub_rabbit_env's shape).
cluster_env() {
    local i=$1 d
    d=$(cluster_node_dir "$i")
    RABBITMQ_NODENAME=$(cluster_node_name "$i")
    export RABBITMQ_NODENAME
    # One HOME for the three nodes and their CLI: one .erlang.cookie, so they may cluster.
    export HOME="$CLUSTER_DIR/home"
    export PATH="/usr/lib/rabbitmq/bin:$PATH"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    RABBITMQ_NODE_PORT=$(cluster_amqp_port "$i")
    RABBITMQ_DIST_PORT=$(cluster_dist_port "$i")
    export RABBITMQ_NODE_PORT RABBITMQ_DIST_PORT
    export RABBITMQ_CONF_ENV_FILE="$d/rabbitmq-env.conf"
    export RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins"
    export RABBITMQ_MNESIA_BASE="$d/mnesia"
    export RABBITMQ_LOG_BASE="$HUB_STATE/log/cluster-node$i"
    RABBITMQ_PID_FILE=$(cluster_node_pid_file "$i")
    export RABBITMQ_PID_FILE
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export ERL_EPMD_PORT="$HUB_EPMD_PORT"
    export ERL_EPMD_ADDRESS=127.0.0.1
    export ERL_FLAGS="-start_epmd false"
}

cluster_ctl() {
    local i=$1
    shift
    (cluster_env "$i" && rabbitmqctl -q "$@")
}

cluster_node_pid() { hub_read_pid "$(cluster_node_pid_file "$1")"; }

cluster_node_running() {
    local pid
    pid=$(cluster_node_pid "$1") || return 1
    infra_pid_is "$pid" beam.smp
}

# cluster_write_node_config I: infra's single-node configuration with node I's ports (the same users, limits and
# plugins), written on every start so port and password changes apply.
cluster_write_node_config() {
    local i=$1 d pw
    d=$(cluster_node_dir "$i")
    pw=$(hub_secret rabbit-password)
    mkdir -p "$d" "$CLUSTER_DIR/home" "$HUB_STATE/log"
    (
        umask 077
        cat >"$d/rabbitmq.conf" <<EOF
# written by ./hub cluster; edits are overwritten
listeners.tcp.1 = 127.0.0.1:$(cluster_amqp_port "$i")
management.tcp.ip = 127.0.0.1
management.tcp.port = $(cluster_mgmt_port "$i")
disk_free_limit.absolute = 50MB
max_message_size = 134217728
default_user = $HUB_RABBIT_USER
default_pass = $pw
default_user_tags.administrator = true
default_user_tags.impersonator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
# a node that stops is one of three: the others keep the majority (quorum queues need two of three)
cluster_partition_handling = pause_minority
log.console = false
log.file.level = info
EOF
    )
    printf '[rabbitmq_management].\n' >"$d/enabled_plugins"
    printf '[].\n' >"$d/advanced.config"
    printf '# ./hub cluster: keeps /etc/rabbitmq/rabbitmq-env.conf out of this node\n' >"$d/rabbitmq-env.conf"
}

# cluster_start_node I: starts node I (its data kept from an earlier run) and waits for its boot.
cluster_start_node() {
    local i=$1
    if cluster_node_running "$i"; then
        return 0
    fi
    rm -f "$(cluster_node_pid_file "$i")"
    infra_require_free_port "$(cluster_amqp_port "$i")" HUB_AMQP_PORT "cluster node $i AMQP"
    infra_require_free_port "$(cluster_mgmt_port "$i")" HUB_MGMT_PORT "cluster node $i management"
    infra_require_free_port "$(cluster_dist_port "$i")" HUB_DIST_PORT "cluster node $i distribution"
    cluster_write_node_config "$i"
    hub_info "starting cluster node $i ($(cluster_node_name "$i"), amqp 127.0.0.1:$(cluster_amqp_port "$i"), management 127.0.0.1:$(cluster_mgmt_port "$i"))"
    (
        cluster_env "$i"
        cd "$(cluster_node_dir "$i")"
        setsid nohup rabbitmq-server </dev/null >>"$HUB_STATE/log/cluster-node$i.log" 2>&1 9>&- &
        infra_rabbit_await_boot $!
    ) || {
        tail -n 20 "$HUB_STATE/log/cluster-node$i.log" >&2 || true
        hub_die "cluster node $i did not start (logs: $HUB_STATE/log/cluster-node$i.log, $HUB_STATE/log/cluster-node$i/)"
    }
}

# cluster_join I: node I joins node 1's cluster, unless it is already a member.
cluster_join() {
    local i=$1 first
    first=$(cluster_node_name 1)
    if cluster_ctl "$i" cluster_status --formatter json 2>/dev/null | grep -q "\"$first\""; then
        return 0
    fi
    hub_info "cluster node $i joins $first"
    cluster_ctl "$i" stop_app >/dev/null 2>&1
    cluster_ctl "$i" reset >/dev/null 2>&1
    cluster_ctl "$i" join_cluster "$first" >/dev/null 2>&1 || hub_die "cluster node $i could not join $first"
    cluster_ctl "$i" start_app >/dev/null 2>&1
}

# cluster_stop_node I: a clean stop of node I (its data kept).
cluster_stop_node() {
    local i=$1 pid
    if pid=$(cluster_node_pid "$i") && infra_pid_is "$pid" beam.smp; then
        hub_info "stopping cluster node $i (pid $pid)"
        cluster_ctl "$i" -t 60 stop "$(cluster_node_pid_file "$i")" >/dev/null 2>&1 || true
        hub_wait_pid_exit "$pid" 5 || hub_stop_pid "$pid" "cluster node $i" 30
    fi
    rm -f "$(cluster_node_pid_file "$i")"
}

# cluster_gateway_env: the Gateway's own environment (hub_host_env), pointed at the cluster: the connection string
# names node 1 (credentials, virtual host) and Broker:Nodes every node, so that it moves when its node goes away.
cluster_gateway_env() {
    hub_host_env Gateway
    export ConnectionStrings__rabbitmq="amqp://$HUB_RABBIT_GATEWAY_USER:$(hub_secret rabbit-gateway-password)@127.0.0.1:$(cluster_amqp_port 1)/"
    Broker__Nodes=$(cluster_nodes_list)
    export Broker__Nodes
}

# cluster_start_host NAME PROJECT PORT PID_FILE ENV_FUNCTION: starts src/PROJECT as NAME on PORT in the background with
# ENV_FUNCTION's environment (unless its pid file names a live process), its log in .hub/log/NAME.log, and waits until
# it is ready.
cluster_start_host() {
    local name=$1 project=$2 port=$3 pid_file=$4 env=$5 pid dll url
    url="http://127.0.0.1:$port"
    pid=$(hub_read_pid "$pid_file" || true)
    if hub_pid_alive "$pid"; then
        return 0
    fi
    infra_require_free_port "$port" "HUB_${project^^}_PORT" "$name"
    dll=$(app_dll "$project")
    (
        "$env"
        cd "$(dirname "$dll")"
        DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development \
            exec nohup dotnet "$dll" --urls "$url" >>"$(app_log_file "$name")" 2>&1 </dev/null 9>&-
    ) &
    pid=$!
    printf '%s\n' "$pid" >"$pid_file"
    app_wait_ready "$url" "$pid" "$name"
    hub_info "$name ready at $url (pid $pid)"
}

# cluster_start_gateway I: Gateway I on its own port; its pid in .hub/cluster/gateway-cI.pid.
cluster_start_gateway() {
    cluster_start_host "$(cluster_gateway_name "$1")" Gateway "$(cluster_gateway_port "$1")" "$CLUSTER_DIR/gateway-c$1.pid" cluster_gateway_env
}

cluster_stop_gateway() {
    local i=$1 pid pid_file
    pid_file="$CLUSTER_DIR/gateway-c$i.pid"
    if pid=$(hub_read_pid "$pid_file") && hub_pid_alive "$pid"; then
        hub_stop_pid "$pid" "$(cluster_gateway_name "$i")" 15
    fi
    rm -f "$pid_file"
}

# cluster_kill_gateway I: SIGKILL to Gateway I (the chaos run's crash: no shutdown, no clean-up).
cluster_kill_gateway() {
    local i=$1 pid pid_file
    pid_file="$CLUSTER_DIR/gateway-c$i.pid"
    pid=$(hub_read_pid "$pid_file") && hub_pid_alive "$pid" || hub_die "Gateway c$i is not running"
    hub_info "kill -9 $(cluster_gateway_name "$i") (pid $pid)"
    kill -9 "$pid"
    hub_wait_pid_exit "$pid" 10 || hub_die "Gateway c$i (pid $pid) outlived kill -9"
    rm -f "$pid_file"
}

# cluster_provisioner_env: the provisioner's own environment (hub_host_env), pointed at node 1's management API.
cluster_provisioner_env() {
    hub_host_env Provisioner
    export Provisioner__ManagementUri="http://127.0.0.1:$(cluster_mgmt_port 1)/"
}

# cluster_start_provisioner: the provisioner (the one holder of the broker administration credential) reconciling
# the agencies' users, permissions and alert queues on the cluster; agencies registered while the cluster runs get
# their broker access there. Its pid in .hub/cluster/provisioner.pid.
cluster_start_provisioner() {
    app_provisioner_grants
    cluster_start_host "$CLUSTER_PROVISIONER_NAME" Provisioner "$(cluster_provisioner_port)" "$CLUSTER_DIR/provisioner.pid" cluster_provisioner_env
}

cluster_stop_provisioner() {
    local pid pid_file="$CLUSTER_DIR/provisioner.pid"
    if pid=$(hub_read_pid "$pid_file") && hub_pid_alive "$pid"; then
        hub_stop_pid "$pid" "$CLUSTER_PROVISIONER_NAME" 15
    fi
    rm -f "$pid_file"
}

# cluster_stop_single_node_hosts: ./hub up's Gateway and provisioner work against the single-node broker of ./hub
# infra, on the same database as the cluster's: that Gateway's alert relay would deliver the shared outbox to the
# wrong broker, and that provisioner would report the agencies' broker state from it. They stop while the cluster
# runs (Identity stays: it holds no broker); ./hub up starts them again after ./hub cluster down.
cluster_stop_single_node_hosts() {
    local name pid
    for name in Gateway Provisioner; do
        pid=$(hub_read_pid "$(app_pid_file "$name")" || true)
        if hub_pid_alive "$pid"; then
            hub_info "stopping ./hub up's $name (pid $pid): the cluster's take its place on the same database"
            hub_stop_pid "$pid" "$name" 20
        fi
        rm -f "$(app_pid_file "$name")"
    done
}

cluster_up() {
    # PostgreSQL and the checkout's epmd (./hub infra), the build and its migrations (./hub up's first steps).
    infra_ensure
    app_build
    app_migrate
    local i
    for i in "${CLUSTER_NODES[@]}"; do cluster_start_node "$i"; done
    for i in "${CLUSTER_NODES[@]:1}"; do cluster_join "$i"; done
    # The hub's users, permissions and policies as ./hub infra sets them, on the cluster (users and policies are
    # cluster-wide: node 1's management API sets them for all three).
    (HUB_MGMT_PORT=$(cluster_mgmt_port 1) && infra_rabbit_provision)
    cluster_stop_single_node_hosts
    for i in "${CLUSTER_GATEWAYS[@]}"; do cluster_start_gateway "$i"; done
    cluster_start_provisioner
    cluster_print_status
}

cluster_down() {
    local i
    cluster_stop_provisioner
    for i in "${CLUSTER_GATEWAYS[@]}"; do cluster_stop_gateway "$i"; done
    # The last node to stop is the first to start again (RabbitMQ's rule): node 1 stops last.
    for ((i = ${#CLUSTER_NODES[@]}; i >= 1; i--)); do cluster_stop_node "$i"; done
}

# cluster_running: any part of the cluster runs (for ./hub status).
cluster_running() {
    local i
    for i in "${CLUSTER_NODES[@]}"; do cluster_node_running "$i" && return 0; done
    for i in "${CLUSTER_GATEWAYS[@]}"; do hub_pid_alive "$(hub_read_pid "$CLUSTER_DIR/gateway-c$i.pid" || true)" && return 0; done
    hub_pid_alive "$(hub_read_pid "$CLUSTER_DIR/provisioner.pid" || true)" && return 0
    return 1
}

cluster_print_status() {
    local i pid
    for i in "${CLUSTER_NODES[@]}"; do
        if cluster_node_running "$i"; then
            infra_status_line "Cluster $i" running "pid $(cluster_node_pid "$i"), amqp 127.0.0.1:$(cluster_amqp_port "$i"), management http://127.0.0.1:$(cluster_mgmt_port "$i"), node $(cluster_node_name "$i")"
        else
            infra_status_line "Cluster $i" stopped "amqp port $(cluster_amqp_port "$i"), node $(cluster_node_name "$i")"
        fi
    done
    for i in "${CLUSTER_GATEWAYS[@]}"; do
        pid=$(hub_read_pid "$CLUSTER_DIR/gateway-c$i.pid" || true)
        if hub_pid_alive "$pid"; then
            infra_status_line "Gateway c$i" running "pid $pid, http://127.0.0.1:$(cluster_gateway_port "$i") (log: $(app_log_file "$(cluster_gateway_name "$i")"))"
        else
            infra_status_line "Gateway c$i" stopped "port $(cluster_gateway_port "$i")"
        fi
    done
    pid=$(hub_read_pid "$CLUSTER_DIR/provisioner.pid" || true)
    if hub_pid_alive "$pid"; then
        infra_status_line "Provisioner c" running "pid $pid, http://127.0.0.1:$(cluster_provisioner_port) (log: $(app_log_file "$CLUSTER_PROVISIONER_NAME"))"
    else
        infra_status_line "Provisioner c" stopped "port $(cluster_provisioner_port)"
    fi
    infra_status_line "" "" "broker nodes $(cluster_nodes_list) (Broker:Nodes, connector --broker-nodes)"
}

cmd_cluster() {
    case ${1:-} in
    up) cluster_up ;;
    down) cluster_down ;;
    status) cluster_print_status ;;
    # Hidden: the chaos run's faults, one part at a time.
    start-node) cluster_start_node "${2:?node number}" ;;
    stop-node) cluster_stop_node "${2:?node number}" ;;
    start-gateway) cluster_start_gateway "${2:?Gateway number}" ;;
    kill-gateway) cluster_kill_gateway "${2:?Gateway number}" ;;
    *) hub_die "usage: ./hub cluster up|down|status" ;;
    esac
}

# ./hub bench chaos [--records N] [--keep] [bench options]: the cluster (started if it does not run, with Identity
# from ./hub up if that does not run either), four agencies registered through registerAgency on the cluster's
# Gateway (the cluster's provisioner gives them their broker users there), then bench/Bench/Chaos with the ./hub
# that injects the faults. The agencies are disabled afterwards and their records, matches and alerts deleted
# (kept with --keep, with the published files and drained alerts).
cluster_bench_chaos() {
    if ! curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$HUB_IDENTITY_PORT/health/ready" 2>/dev/null; then
        cmd_up >&2
    fi
    cluster_up >&2
    local stamp codes=() code rc=0 gateway provisioner
    stamp=$(date +%H%M%S)
    for code in A B C D; do codes+=("CX$stamp$code"); done
    gateway=$(cluster_gateway_port 1)
    provisioner=$(cluster_provisioner_port)
    (
        # The administrator's mutations go to the cluster's Gateway, and the broker state to wait for is the
        # cluster provisioner's (./hub up's Gateway and provisioner are stopped while the cluster runs).
        HUB_GATEWAY_PORT=$gateway
        HUB_PROVISIONER_PORT=$provisioner
        for code in "${codes[@]}"; do agency_add "$code" "Chaos run $code" --region US >&2; done
    )
    app_exec_admin Bench chaos --agencies "$(IFS=, && printf '%s' "${codes[*]}")" --connector "$(app_dll Connectors)" \
        --broker "amqp://127.0.0.1:$(cluster_amqp_port 1)/" --broker-nodes "$(cluster_nodes_list)" \
        --secrets "$HUB_AGENCY_DIR" --hub "$HUB_ROOT/hub" "$@" || rc=$?
    (
        HUB_GATEWAY_PORT=$gateway
        HUB_PROVISIONER_PORT=$provisioner
        # Identity's first queries after the PostgreSQL restart may fail on a pooled connection the restart closed
        # (it does not retry them): a token request that fails is asked again.
        for code in "${codes[@]}"; do
            for attempt in 1 2 3; do
                if ((attempt < 3)); then
                    (agency_disable "$code") 2>/dev/null && break
                    sleep 1
                else
                    (agency_disable "$code") || hub_warn "could not disable agency $code"
                fi
            done
        done
    )
    for code in "${codes[@]}"; do rm -f "$(connector_secret_file "$code")"; done
    return "$rc"
}
