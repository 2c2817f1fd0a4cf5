#!/bin/sh
# Creates the Gateway's own RabbitMQ user, or brings it back to its password, tags and permissions, through the
# management API with the broker's administration credential. One-shot and idempotent: the broker-users service of
# docker-compose.yml runs it before `SharingHub.Gateway.dll broker setup` sets the policies. (Kubernetes does the same
# with Messaging Topology Operator resources, rabbitmq/topology.yaml beside this file; it stays here because compose
# mounts it from here.) The Gateway's user and password are read from the
# Gateway's own connection string, so they are written down in one place only.
#
# The user has no tags, and configure/write/read only the hub's records queue, its error queue, the record
# message-type exchanges and the alert exchange and queues: the table in docs/security.md (scripts/infra.sh sets the same for ./hub). An operator who
# changes Ingestion:QueueName sets INGESTION_QUEUE_NAME here to the same name.
#
# Environment: RABBITMQ_MANAGEMENT_URI (http://rabbitmq:15672/), RABBITMQ_ADMIN_USER, RABBITMQ_ADMIN_PASSWORD,
# GATEWAY_RABBITMQ_URI (amqp[s]://USER:PASSWORD@HOST:PORT/), optional RABBITMQ_VHOST (/) and INGESTION_QUEUE_NAME.
set -eu

die() {
    echo "broker-users: $*" >&2
    exit 1
}

: "${RABBITMQ_MANAGEMENT_URI:?set RABBITMQ_MANAGEMENT_URI}"
: "${RABBITMQ_ADMIN_USER:?set RABBITMQ_ADMIN_USER}"
: "${RABBITMQ_ADMIN_PASSWORD:?set RABBITMQ_ADMIN_PASSWORD}"
: "${GATEWAY_RABBITMQ_URI:?set GATEWAY_RABBITMQ_URI}"
vhost=${RABBITMQ_VHOST:-/}
queue=${INGESTION_QUEUE_NAME:-sharinghub-records}

rest=${GATEWAY_RABBITMQ_URI#*://}
userinfo=${rest%%@*}
[ "$userinfo" != "$rest" ] || die "GATEWAY_RABBITMQ_URI names no user (amqp://USER:PASSWORD@HOST:PORT/)"
gateway_user=${userinfo%%:*}
gateway_password=${userinfo#*:}
[ "$gateway_password" != "$userinfo" ] || die "GATEWAY_RABBITMQ_URI has no password"

# Names and passwords go into JSON, a URL path and curl's config unescaped: letters, digits, '-' and '_' only.
for value in "$RABBITMQ_ADMIN_USER" "$RABBITMQ_ADMIN_PASSWORD" "$gateway_user" "$gateway_password" "$queue"; do
    case $value in
    '' | *[!A-Za-z0-9_-]*) die "user names, passwords and the queue name may hold only letters, digits, '-' and '_'" ;;
    esac
done
[ "$gateway_user" != "$RABBITMQ_ADMIN_USER" ] || die "the Gateway must not connect as the administration user"

base=${RABBITMQ_MANAGEMENT_URI%/}/api
vhost_path=$(printf '%s' "$vhost" | sed 's|%|%25|g; s|/|%2F|g')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The credential goes to curl in a file, not on its command line.
printf 'user = "%s:%s"\n' "$RABBITMQ_ADMIN_USER" "$RABBITMQ_ADMIN_PASSWORD" >"$work/curl.conf"

api() { # METHOD PATH [BODY]
    if [ $# -ge 3 ]; then
        printf '%s' "$3" >"$work/body.json"
        curl -fsS -o /dev/null -K "$work/curl.conf" -X "$1" -H 'content-type: application/json' \
            --data-binary "@$work/body.json" "$base/$2"
    else
        curl -fsS -o /dev/null -K "$work/curl.conf" -X "$1" "$base/$2"
    fi
}

# The broker may still be starting.
curl -fsS -o /dev/null --retry 30 --retry-connrefused --retry-delay 2 -K "$work/curl.conf" "$base/whoami" ||
    die "the management API at $base does not accept the administration credential"

q=$queue
# Alert delivery (ADR-011): the alerts exchange, the agencies' alert queues and the dead-letter queue; the Gateway binds
# the queues (write on them) but never reads an agency's alert queue. JSON-escaped backslashes.
alerts_cw='|sharinghub-alerts(-dead|\\.[A-Za-z0-9_-]+)?'
alerts_r='|sharinghub-alerts(-dead)?'
api PUT "users/$gateway_user" "{\"password\":\"$gateway_password\",\"tags\":\"\"}" ||
    die "could not create the user $gateway_user"
api PUT "permissions/$vhost_path/$gateway_user" \
    "{\"configure\":\"^($q(_error)?|SharingHub\\\\.Contracts\\\\.V1:.*$alerts_cw)\$\",\"write\":\"^($q(_error)?$alerts_cw)\$\",\"read\":\"^($q(_error)?|SharingHub\\\\.Contracts\\\\.V1:.*$alerts_r)\$\"}" ||
    die "could not set the permissions of $gateway_user"
# An alert message delivered too often (x-delivery-limit) goes to the operators' dead-letter queue, not away.
api PUT "policies/$vhost_path/sharinghub-alerts-dead-letter" \
    '{"pattern":"^sharinghub-alerts\\.","apply-to":"queues","priority":0,"definition":{"dead-letter-exchange":"sharinghub-alerts-dead"}}' ||
    die "could not set the policy sharinghub-alerts-dead-letter"
echo "broker-users: $gateway_user has its password, no tags, and the hub's queues and exchanges only"
