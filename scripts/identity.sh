# shellcheck shell=bash
# Identity's part of ./hub: development tokens, seeding, client secrets, key rotation.
# Sourced by ./hub after common.sh and app.sh.

hub_register token "token [AGENCY] [ROLE]" "print a bearer token of a demo user on the last line (development; code+PKCE)"
hub_register identity "identity seed|clients|demo|rotate-keys|user add|reset|list" \
    "seed agencies/clients/demo users; list dev client secrets; demo login (password, code); rotate keys; local accounts"

# Identity's dll takes --migrate too.
HUB_MIGRATE_PROJECTS+=(Identity)

# Gateway validates tokens against this checkout's Identity (its port may be overridden).
export Authentication__Authority="http://127.0.0.1:${HUB_IDENTITY_PORT:-5090}/"

identity_issuer() { printf 'http://127.0.0.1:%s/\n' "$HUB_IDENTITY_PORT"; }

identity_require_running() {
    curl -fsS -o /dev/null --max-time 3 "$(identity_issuer).well-known/openid-configuration" 2>/dev/null ||
        hub_die "Identity is not answering at $(identity_issuer) (start it with ./hub up)"
}

# ./hub token [AGENCY] [ROLE]: a real authorization code + PKCE flow, driven headlessly against the
# development login with the demo user's password and fixed TOTP secret (DEVELOPMENT ONLY; both live in
# .hub/identity/dev-secrets.json). The demo user is created on first use.
cmd_token() {
    (($# <= 2)) || hub_die "usage: ./hub token [AGENCY] [ROLE]"
    identity_require_running
    app_exec Identity token "$@" --Issuer="$(identity_issuer)"
}

cmd_identity() {
    local sub=${1:-}
    shift || true
    case $sub in
    seed) app_exec Identity seed --demo-users "$@" ;;
    clients) app_exec Identity clients ;;
    # The demo users' password and the current one-time code, to sign in at the inbox page (development only).
    demo) app_exec Identity demo ;;
    rotate-keys)
        app_exec Identity keys rotate
        hub_info "restart Identity (./hub up) to sign with the new key"
        ;;
    # Local accounts for agencies without an identity provider:
    #   user add AGENCY USERNAME --role ROLE [--role ROLE]... [--leo] [--cfr28] [--name "DISPLAY NAME"]
    #   user reset USERNAME     (new password and TOTP key; lifts a lockout)
    #   user list [AGENCY]
    user) app_exec Identity user "$@" ;;
    *) hub_die "usage: ./hub identity seed | clients | demo | rotate-keys | user add|reset|list ..." ;;
    esac
}

# ./hub up: seed the demo users (officer, analyst, supervisor per agency; an advocate for the NGO).
up_hook_20_identity() {
    local log="$HUB_STATE/log/identity-seed.log"
    if ! app_exec Identity seed --demo-users >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        hub_die "Identity seeding failed (log: $log)"
    fi
    hub_info "Identity demo users seeded ($(grep -c '^demo user' "$log") users; ./hub token AGENCY ROLE)"
}

# ./hub up's last words: the officer's page and how to sign in there as a demo user.
up_summary_20_inbox() {
    local log="$HUB_STATE/log/identity-seed.log" login
    printf '  Inbox     http://127.0.0.1:%s/inbox   (the officer'"'"'s page: alerts, matches, planned operations)\n' "$HUB_GATEWAY_PORT"
    printf '  Demo logins (development only), for the inbox page:\n'
    if [[ -f $log ]]; then
        # "demo user officer.tx0010100 (officer, TX0010100)": officers, supervisors and advocates, the page's users.
        grep -E '^demo user [a-z]+\.[a-z0-9]+ \((officer|supervisor|advocate)' "$log" | awk '{printf "    %-26s %s %s\n", $3, $4, $5}'
    fi
    if login=$(app_exec Identity demo 2>/dev/null); then
        printf '%s\n' "$login" | sed 's/^/    /'
    fi
    printf '    The one-time code changes every 30 s: ./hub identity demo prints the current one.\n'
}