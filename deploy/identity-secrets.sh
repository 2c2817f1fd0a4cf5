#!/usr/bin/env bash
# Creates Identity's two secret files, once, for a deployment (docker-compose.yml or a Kubernetes Secret):
#   identity-keys.json            the token signing and encryption keys (Keys:File): a key-set file of format 2,
#                                 each key a self-signed RSA-2048 certificate whose PKCS#12 is encrypted with
#                                 IDENTITY_KEYS_PASSPHRASE (AES-256-CBC, PBKDF2-SHA256, as Identity writes it; ADR-003)
#   identity-data-protection.pfx  the RSA-3072 certificate that encrypts the data-protection keys at rest
#                                 (DataProtection:CertificateFile), encrypted with IDENTITY_DATA_PROTECTION_PASSWORD
# Neither file alone mints a token or opens a session: keep the passphrases apart from them (.env, a Secret of its
# own). An existing file is never overwritten. Rotate signing keys later with `SharingHub.Identity.dll keys rotate`.
#
#   deploy/identity-secrets.sh [OUTPUT_DIR]     (default deploy/compose/secrets, git- and docker-ignored)
# The passphrases come from the environment, else from ./.env. Needs bash, OpenSSL 3, GNU date and base64.
set -euo pipefail

die() {
    printf 'identity-secrets: %s\n' "$*" >&2
    exit 1
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/deploy/compose/secrets}
if [[ -z ${IDENTITY_KEYS_PASSPHRASE:-} || -z ${IDENTITY_DATA_PROTECTION_PASSWORD:-} ]] && [[ -f $root/.env ]]; then
    set -a
    # shellcheck disable=SC1091
    . "$root/.env"
    set +a
fi
: "${IDENTITY_KEYS_PASSPHRASE:?set IDENTITY_KEYS_PASSPHRASE (in .env or the environment)}"
: "${IDENTITY_DATA_PROTECTION_PASSWORD:?set IDENTITY_DATA_PROTECTION_PASSWORD (in .env or the environment)}"
export IDENTITY_KEYS_PASSPHRASE IDENTITY_DATA_PROTECTION_PASSWORD
lifetime_days=${IDENTITY_KEY_LIFETIME_DAYS:-90}
command -v openssl >/dev/null || die "openssl is not installed"

umask 077
mkdir -p "$out"
chmod 700 "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# certificate NAME CN KEY_USAGE BITS DAYS: a self-signed certificate with one critical key usage, in $work/NAME.*.
certificate() {
    cat >"$work/$1.cnf" <<CNF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = $2
[ext]
keyUsage = critical, $3
CNF
    openssl req -x509 -newkey "rsa:$4" -sha256 -noenc -days "$5" -config "$work/$1.cnf" -extensions ext \
        -keyout "$work/$1.key" -out "$work/$1.crt" 2>/dev/null || die "openssl could not create $2"
}

# pkcs12 NAME PASSWORD_VARIABLE: the certificate and its key as PKCS#12, PBES2 with AES-256-CBC.
pkcs12() {
    openssl pkcs12 -export -inkey "$work/$1.key" -in "$work/$1.crt" -passout "env:$2" \
        -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -iter 200000 || die "openssl could not export $1"
}

iso_date() { date -u -d "$(openssl x509 -in "$work/$1.crt" -noout "-$2" | cut -d= -f2)" +%Y-%m-%dT%H:%M:%S+00:00; }

# key_entry USE KEY_USAGE: one entry of the key-set file.
key_entry() {
    local id
    id=$(openssl rand -hex 8)
    certificate "$1" "SharingHub Identity ${1^} key $id" "$2" 2048 "$lifetime_days"
    printf '    {\n      "id": "%s",\n      "use": "%s",\n      "notBefore": "%s",\n      "notAfter": "%s",\n      "pkcs12": "%s"\n    }' \
        "$id" "$1" "$(iso_date "$1" startdate)" "$(iso_date "$1" enddate)" \
        "$(pkcs12 "$1" IDENTITY_KEYS_PASSPHRASE | base64 -w0)"
}

keys=$out/identity-keys.json
if [[ -e $keys ]]; then
    printf 'identity-secrets: %s exists; kept\n' "$keys" >&2
else
    {
        printf '{\n  "_comment": "SharingHub Identity signing and encryption keys. SECRET: never commit, never log.",\n'
        printf '  "format": 2,\n  "keys": [\n'
        key_entry signing digitalSignature
        printf ',\n'
        key_entry encryption keyEncipherment
        printf '\n  ]\n}\n'
    } >"$work/keys.json"
    mv "$work/keys.json" "$keys"
    printf 'identity-secrets: wrote %s (keys valid %s days)\n' "$keys" "$lifetime_days" >&2
fi

protection=$out/identity-data-protection.pfx
if [[ -e $protection ]]; then
    printf 'identity-secrets: %s exists; kept\n' "$protection" >&2
else
    certificate protection "SharingHub Identity data protection" keyEncipherment 3072 3650
    pkcs12 protection IDENTITY_DATA_PROTECTION_PASSWORD >"$work/protection.pfx"
    mv "$work/protection.pfx" "$protection"
    printf 'identity-secrets: wrote %s\n' "$protection" >&2
fi

# The hosts' containers run as an unprivileged user that does not own these files: they are readable by it, and
# the folder (mode 700) keeps other local users out. Both files are encrypted.
chmod 644 "$keys" "$protection"
