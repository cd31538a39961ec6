#!/usr/bin/env bash
# deploy/pki.sh as a coordinator uses it: every command's outputs, and every
# mistake a user can make refused with a message naming it, leaving nothing
# half-written. Registered with ctest as pki_e2e (tests/e2e/CMakeLists.txt):
#
#   pki_e2e.sh PKI_SH
#
# Needs bash, coreutils, grep, sed and the openssl CLI.
set -euo pipefail

E2E_NAME="pki_e2e"
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

if [[ $# -ne 1 || ! -f "$1" ]]; then
  echo "usage: pki_e2e.sh PKI_SH" >&2
  exit 2
fi
PKI_SH="$(realpath -- "$1")"
readonly PKI_SH
e2e_tmpdir
readonly PKI="$T/pki"

pki() { run bash "$PKI_SH" "$@"; }

# fingerprint CERT: its SHA-256 fingerprint.
fingerprint() { openssl x509 -in "$1" -noout -fingerprint -sha256; }

# files_under DIR: every file below DIR, sorted (empty when DIR is absent).
files_under() { find "$1" -type f 2>/dev/null | sort || true; }

# ----------------------------------------------------------------------------
# Usage errors: exit status 2, the command and the option named.
pki --help
expect_rc "--help exits 0" 0
grep -q "^Usage:" "$T/out" || fail "--help prints the usage" "no Usage: line"
ok "--help prints the usage"

pki
expect_rc "no command is a usage error" 2
pki frobnicate
expect_err "an unknown command is refused" 2 "unknown command 'frobnicate'"
pki authority --id FR-DGT
expect_err "authority without --out is refused" 2 "authority: --out DIR is required"
pki authority --out "$PKI"
expect_err "authority without --id is refused" 2 "authority: --id ID is required"
pki authority --out "$PKI" --id FR-DGT --bogus
expect_err "an unknown option is refused" 2 "authority: unknown argument '--bogus'"
pki authority --out "$PKI" --id
expect_err "an option without its value is refused" 2 "option --id needs a value"
pki authority --out "$PKI" --id FR-DGT --force=yes
expect_err "a flag given a value is refused" 2 "authority: unknown argument '--force=yes'"
pki user --out "$PKI" --id FR-DGT
expect_err "user without --name is refused" 2 "user: --name USER is required"
pki revoke --out "$PKI" --id FR-DGT
expect_err "revoke without --cert is refused" 2 "revoke: --cert FILE is required"
pki card --out "$PKI" --id FR-DGT
expect_err "card without --endpoint is refused" 2 "card: --endpoint HOST:PORT is required"
[[ -z "$(files_under "$PKI")" ]] || fail "usage errors write nothing" "$(files_under "$PKI")"
ok "usage errors exit 2 naming the command and option, and write nothing"

# Bad values: exit status 1, the value named, nothing created.
pki authority --out "$PKI" --id fr-dgt
expect_err "a malformed authority id is refused" 1 "invalid authority id 'fr-dgt'"
pki authority --out "$PKI" --id FR-DGT --dns 'bad_host!'
expect_err "a malformed --dns name is refused" 1 "invalid --dns name 'bad_host!'"
pki authority --out "$PKI" --id FR-DGT --ip 300.1.2.3
expect_err "an IPv4 address out of range is refused" 1 "invalid --ip address '300.1.2.3'"
pki authority --out "$PKI" --id FR-DGT --ip not-an-ip
expect_err "a non-address --ip is refused" 1 "invalid --ip address 'not-an-ip'"
pki authority --out "$PKI" --id FR-DGT --name $'Two\nlines'
expect_err "a --name with control characters is refused" 1 "--name must not contain control characters"
pki user --out "$PKI" --id FR-DGT --name alice
expect_err "a user before the CA is refused" 1 "no CA for FR-DGT"
pki card --out "$PKI" --id FR-DGT --endpoint localhost:7444
expect_err "a card before the CA is refused" 1 "no CA or node certificate for FR-DGT"
pki crl --out "$PKI" --id FR-DGT
expect_err "a CRL before the CA is refused" 1 "no CA for FR-DGT"
[[ -z "$(files_under "$PKI")" ]] || fail "refused values write nothing" "$(files_under "$PKI")"
ok "bad ids, names, addresses and a missing CA are refused, naming the value, and write nothing"

# ----------------------------------------------------------------------------
# authority: a CA and a node certificate with the authority in its SAN URI.
pki authority --out="$PKI" --id FR-DGT --name "Direction générale du travail" \
  --dns pwx.travail.example.fr --ip 192.0.2.7 --ip 2001:db8::7
expect_rc "authority creates the CA and node certificate" 0
D="$PKI/FR-DGT"
for f in ca.pem ca.key node.pem node.key; do
  [[ -s "$D/$f" ]] || fail "authority writes $f" "missing $D/$f"
done
for f in ca.key node.key; do
  [[ "$(stat -c %a "$D/$f")" == 600 ]] || fail "keys are private" "$f has mode $(stat -c %a "$D/$f")"
done
openssl verify -x509_strict -CAfile "$D/ca.pem" -purpose sslserver "$D/node.pem" >/dev/null 2>&1 &&
  openssl verify -x509_strict -CAfile "$D/ca.pem" -purpose sslclient "$D/node.pem" >/dev/null 2>&1 ||
  fail "the node certificate verifies for TLS server and client" "openssl verify failed"
SAN="$(openssl x509 -in "$D/node.pem" -noout -ext subjectAltName)"
for want in "URI:pwx://authority/FR-DGT" "DNS:localhost" "DNS:pwx.travail.example.fr" \
  "IP Address:127.0.0.1" "IP Address:192.0.2.7" "IP Address:2001:DB8"; do
  grep -qF "$want" <<<"$SAN" || fail "the node certificate names $want" "SAN: $SAN"
done
SUBJECT="$(openssl x509 -in "$D/node.pem" -noout -subject -nameopt utf8,sep_comma_plus_space)"
grep -qF "O=Direction générale du travail" <<<"$SUBJECT" ||
  fail "the organisation is kept in UTF-8" "subject: $SUBJECT"
ok "authority: CA and node certificate (SAN URI pwx://authority/FR-DGT, --dns, --ip, O= in UTF-8), keys mode 600"

CA_FP="$(fingerprint "$D/ca.pem")"
NODE_FP="$(fingerprint "$D/node.pem")"
pki authority --out "$PKI" --id FR-DGT
expect_rc "authority again keeps what exists" 0
[[ "$(fingerprint "$D/ca.pem")" == "$CA_FP" && "$(fingerprint "$D/node.pem")" == "$NODE_FP" ]] ||
  fail "authority again keeps the CA and node certificate" "a certificate changed"
grep -q "exists, kept" "$T/out" || fail "authority again says it kept them" "no 'exists, kept'"
ok "authority again keeps the CA and the node certificate"

# user: a client certificate only.
pki user --out "$PKI" --id FR-DGT --name Alice
expect_err "an upper-case user name is refused" 1 "invalid user name 'Alice'"
pki user --out "$PKI" --id FR-DGT --name alice
expect_rc "user issues a certificate" 0
U="$D/users/alice"
openssl verify -x509_strict -CAfile "$D/ca.pem" -purpose sslclient "$U.pem" >/dev/null 2>&1 ||
  fail "the user certificate verifies as a TLS client" "openssl verify failed"
if openssl verify -x509_strict -CAfile "$D/ca.pem" -purpose sslserver "$U.pem" >/dev/null 2>&1; then
  fail "a user certificate cannot serve TLS" "it verifies for sslserver"
fi
openssl x509 -in "$U.pem" -noout -subject | grep -q "CN *= *alice" ||
  fail "the user certificate names the user" "$(openssl x509 -in "$U.pem" -noout -subject)"
[[ "$(stat -c %a "$U.key")" == 600 ]] || fail "user keys are private" "mode $(stat -c %a "$U.key")"
ok "user: a client-only certificate with CN=alice, key mode 600; 'Alice' refused"
# The browser's copy: PKCS#12 with an empty password, the key and the CA.
[[ "$(stat -c %a "$U.p12")" == 600 ]] || fail "the PKCS#12 file is private" "mode $(stat -c %a "$U.p12")"
openssl pkcs12 -in "$U.p12" -passin pass: -nodes 2>/dev/null >"$T/p12.pem" ||
  fail "the PKCS#12 file opens with an empty password" "openssl pkcs12 failed"
grep -q "PRIVATE KEY" "$T/p12.pem" && [[ "$(grep -c "BEGIN CERTIFICATE" "$T/p12.pem")" == 2 ]] ||
  fail "the PKCS#12 file holds the key, the certificate and the CA" "$(grep BEGIN "$T/p12.pem")"
grep -q "pk12util -i $U.p12" "$T/out" || fail "user prints the browser import steps" "no pk12util line"
ok "user: alice.p12 for the browser, with the import steps"

pki user --out "$PKI" --id FR-DGT --name bob
expect_rc "a second user" 0
mv "$D/users/bob.key" "$T/bob.key"
pki user --out "$PKI" --id FR-DGT --name bob
expect_err "a certificate without its key is refused" 1 "only one of"
mv "$T/bob.key" "$D/users/bob.key"
ok "a certificate whose key went missing is refused rather than silently replaced"

# revoke + crl: the revoked serial is in a CRL signed by the CA.
pki authority --out "$PKI" --id PL-PIP
expect_rc "a second authority" 0
pki revoke --out "$PKI" --id FR-DGT --cert "$PKI/PL-PIP/node.pem"
expect_err "revoking another CA's certificate is refused" 1 "was not issued by the CA of FR-DGT"
pki revoke --out "$PKI" --id FR-DGT --cert "$T/nothing.pem"
expect_err "revoking a missing file is refused" 1 "no such certificate file"
pki crl --out "$PKI" --id FR-DGT --days 0
expect_err "a CRL valid for 0 days is refused" 1 "--days must be 1 to 9999, not '0'"
[[ ! -e "$D/crl.pem" ]] || fail "refused revocations write no CRL" "$D/crl.pem exists"
ok "revoke/crl refuse a foreign or missing certificate and a bad --days, writing no CRL"

pki revoke --out "$PKI" --id FR-DGT --cert "$D/users/bob.pem"
expect_rc "revoke records the revocation" 0
pki crl --out "$PKI" --id FR-DGT --days 7
expect_rc "crl writes the list" 0
openssl crl -in "$D/crl.pem" -CAfile "$D/ca.pem" -noout >/dev/null 2>&1 ||
  fail "the CRL is signed by the CA" "openssl crl could not verify it"
SERIAL="$(openssl x509 -in "$D/users/bob.pem" -noout -serial | cut -d= -f2)"
openssl crl -in "$D/crl.pem" -noout -text | tr -d ' :' | grep -qi "SerialNumber$SERIAL" ||
  fail "the CRL lists bob's certificate" "serial $SERIAL not in the CRL"
if openssl crl -in "$D/crl.pem" -noout -text | tr -d ' :' |
  grep -qi "SerialNumber$(openssl x509 -in "$U.pem" -noout -serial | cut -d= -f2)"; then
  fail "the CRL lists only what was revoked" "alice's serial is in it"
fi
if openssl verify -crl_check -CAfile "$D/ca.pem" -CRLfile "$D/crl.pem" "$D/users/bob.pem" >/dev/null 2>&1; then
  fail "openssl refuses the revoked certificate with the CRL" "it verifies"
fi
openssl verify -crl_check -CAfile "$D/ca.pem" -CRLfile "$D/crl.pem" "$U.pem" >/dev/null 2>&1 ||
  fail "a certificate not revoked still verifies with the CRL" "alice's does not"
ok "revoke + crl: bob's certificate is in a CRL signed by the CA; alice's still verifies"

# card: the identity card peers add.
pki card --out "$PKI" --id FR-DGT --endpoint nohost
expect_err "an endpoint without a port is refused" 1 "--endpoint must be HOST:PORT, not 'nohost'"
[[ ! -e "$D/identity.card" ]] || fail "a refused card is not written" "$D/identity.card exists"
pki card --out "$PKI" --id FR-DGT --endpoint fed.travail.example.fr:7444 --name 'DGT "Lyon"'
expect_rc "card writes the identity card" 0
C="$D/identity.card"
grep -qx 'authority_id: "FR-DGT"' "$C" || fail "the card names the authority" "$(head -n 5 "$C")"
grep -qx 'federation_endpoint: "fed.travail.example.fr:7444"' "$C" ||
  fail "the card carries the endpoint" "$(head -n 5 "$C")"
grep -qxF 'authority_name: "DGT \"Lyon\""' "$C" || fail "the card quotes the name" "$(head -n 5 "$C")"
# The CA certificate in the card, unescaped, is the CA's.
CARD_CA="$(grep '^ca_certificate_pem: ' "$C" | sed -E 's/^ca_certificate_pem: "(.*)"$/\1/' |
  sed 's/\\n/\n/g')"
[[ "$(openssl x509 -noout -fingerprint -sha256 <<<"$CARD_CA")" == "$CA_FP" ]] ||
  fail "the card carries the CA certificate" "fingerprints differ"
ok "card: authority, name (quoted), endpoint and the CA certificate; a bad endpoint refused"

# authority --force replaces the CA: what it issued no longer verifies, and
# reissuing without --force says why.
pki authority --out "$PKI" --id FR-DGT --force
expect_rc "authority --force replaces the CA" 0
[[ "$(fingerprint "$D/ca.pem")" != "$CA_FP" ]] || fail "--force replaces the CA" "same CA"
grep -q "no longer verify" "$T/err" || fail "--force warns what it invalidates" "no warning"
pki user --out "$PKI" --id FR-DGT --name alice
expect_err "a certificate of the old CA is not kept silently" 1 "was the CA replaced?"
pki user --out "$PKI" --id FR-DGT --name alice --force
expect_rc "user --force reissues" 0
openssl verify -CAfile "$D/ca.pem" "$U.pem" >/dev/null 2>&1 ||
  fail "the reissued certificate verifies against the new CA" "it does not"
ok "authority --force replaces the CA (warned); old certificates are refused until reissued with --force"

e2e_done
