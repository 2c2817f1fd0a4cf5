# shellcheck shell=bash
# The hub's error queue as an operator's tool, and the broker policies that feed and expire it.
# Sourced by ./hub after common.sh and app.sh.

hub_register errors "errors list|show ID|replay ID|purge --yes" \
    "the error queue: reasons by agency, local id and field (never values); replay one message; purge (audited)"

# errors_admin_env: the administration credential, for the commands that need it (DEVELOPMENT: the
# checkout's RabbitMQ admin user). Replay sends a message back as its original agency (its user_id),
# which RabbitMQ allows only an impersonator; broker setup writes policies.
errors_admin_env() {
    hub_admin_env
    export ConnectionStrings__rabbitmq="amqp://$HUB_RABBIT_ADMIN_USER:$HUB_RABBIT_ADMIN_PASSWORD@127.0.0.1:$HUB_AMQP_PORT/"
    export BrokerAdministration__ManagementUri="$HUB_RABBIT_MGMT_URL"
    export BrokerAdministration__User="$HUB_RABBIT_ADMIN_USER"
    export BrokerAdministration__Password="$HUB_RABBIT_ADMIN_PASSWORD"
}

# ./hub errors list | show ID | replay ID | purge --yes [--actor NAME]
cmd_errors() {
    case ${1:-} in
    list | show | replay | purge) ;;
    *) hub_die "usage: ./hub errors list | show ID | replay ID | purge --yes  [--actor NAME]" ;;
    esac
    infra_ensure
    app_migrate_if_pending Gateway sharinghub
    errors_admin_env
    app_exec Gateway errors "$@"
}

# ./hub up: the records queue's delivery limit and the error queue's retention (policies; ADR-007).
up_hook_10_broker_limits() {
    local log="$HUB_STATE/log/broker-setup.log"
    # In a subshell: the administration credential must not stay exported for the hosts `up` starts next.
    if ! (errors_admin_env && app_exec Gateway broker setup) >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        hub_die "broker setup failed (log: $log)"
    fi
    hub_info "$(tail -n 1 "$log")"
}
