#!/usr/bin/env bash
# End-to-end test of federation between two pwx-server processes, FR-DGT and
# PL-PIP, driven through the pwx CLI as their coordinators and inspectors.
# Registered with ctest as federation_e2e (tests/e2e/CMakeLists.txt):
#
#   federation_e2e.sh PWX_SERVER_BINARY PWX_CLI_BINARY PKI_SH
#
# Checks: identity cards exchanged and peers added; a case shared across;
# self-signed, other-CA and expired client certificates refused inside the
# TLS handshake of the federation port (openssl s_client: no TLS 1.2
# handshake, no TLS 1.3 session), a peer's CA naming another authority
# refused right after it; impostor servers refused by the dispatcher with
# the reason in `pwx peer list`; the receiver killed (SIGKILL) while shares
# queue up, then restarted: everything arrives once; the sender killed
# (SIGKILL) while it delivers a backlog, then restarted: nothing lost,
# nothing applied twice; an expired CRL reported without locking the peer
# out; CRL files replaced while the nodes run: a revoked node certificate
# and a revoked user certificate get no TLS session.
# Prints "ok - ..." per check; the first failure prints "not ok - ...", the
# nodes' logs and the failing command's output, and exits 1.
set -euo pipefail

E2E_NAME="federation_e2e"
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
e2e_binaries "$@"

readonly START_TIMEOUT_S=60  # generous: sanitizer builds start slowly
readonly DELIVERY_TIMEOUT_S=120
readonly CLI_TIMEOUT_S=30
readonly BACKLOG=60

declare -A AUTHORITY=([FR]="FR-DGT" [PL]="PL-PIP" [BE]="BE-SPF")
declare -A USER_OF=([FR]="alice" [PL]="piotr" [BE]="bea")
# One envelope per call and short retries, so a backlog takes many calls and a
# restart is noticed quickly.
FEDERATION_CONFIG="max_batch: 1 retry_initial_ms: 50 retry_max_ms: 500"
e2e_tmpdir
readonly PKI="$T/pki"
# shellcheck source=tests/e2e/nodes.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/nodes.sh"

queued_for() {  # queued_for NODE PEER: sets QUEUED, the envelopes waiting for PEER
  peer_json "$1" "$2"
  QUEUED="$(json_uint queued)"
}

nothing_queued_fr() { queued_for FR PL-PIP; [[ "$QUEUED" -eq 0 ]]; }

count_cases() {  # count_cases NODE: sets COUNT
  pwx "$1" --output json case list --all
  [[ $RC -eq 0 ]] || fail "pwx case list works" "exit $RC"
  COUNT="$(grep -oE '"id" *: *"FR-DGT-[0-9]{4}-[0-9]{6}"' <<<"$FLAT" | sort -u | grep -c . || true)"
}

count_receives() {  # count_receives NODE: sets RECEIVED (envelope.receive entries)
  pwx "$1" --output json audit entries --all --action envelope.receive
  [[ $RC -eq 0 ]] || fail "pwx audit entries works" "exit $RC"
  RECEIVED="$(grep -oE '"action" *: *"envelope.receive"' <<<"$FLAT" | grep -c . || true)"
}

share_new_case() {  # share_new_case N: FR files case N and shares it
  pwx FR --output json case create --title "Backlog $1" \
    --undertaking-name "Firm $1" --undertaking-country PL
  [[ $RC -eq 0 ]] || fail "FR-DGT files a case" "exit $RC"
  local id
  id="$(grep -oE 'FR-DGT-[0-9]{4}-[0-9]{6}' <<<"$FLAT" | head -n 1)"
  pwx FR case share "$id" --with PL-PIP
  [[ $RC -eq 0 ]] || fail "FR-DGT shares $id" "exit $RC"
  LAST_ID="$id"
}

# handshake PORT CERT KEY: what an openssl client presenting CERT gets from
# 127.0.0.1:PORT. HANDSHAKE12 is "established" when the server completed a
# TLS 1.2 handshake, SESSION13 "ticket" when it sent a TLS 1.3 session
# ticket; a server that refuses the certificate inside the handshake does
# neither (gRPC closes the connection without an alert).
handshake() {
  local port="$1" cert="$2" key="$3"
  CMD="openssl s_client -connect 127.0.0.1:$port -cert $cert -alpn h2 (TLS 1.2, then 1.3)"
  RC=0
  timeout 10 openssl s_client -brief -tls1_2 -alpn h2 -connect "127.0.0.1:$port" \
    -cert "$cert" -key "$key" </dev/null >"$T/out" 2>&1 || RC=$?
  HANDSHAKE12=refused
  if grep -q "CONNECTION ESTABLISHED" "$T/out"; then HANDSHAKE12=established; fi
  { sleep 1; } | timeout 10 openssl s_client -tls1_3 -alpn h2 -connect "127.0.0.1:$port" \
    -cert "$cert" -key "$key" >"$T/err" 2>&1 || true
  SESSION13=none
  if grep -q "New Session Ticket" "$T/err"; then SESSION13=ticket; fi
  return 0
}

refused_in_handshake() {  # refused_in_handshake PORT CERT KEY
  handshake "$@"
  [[ "$HANDSHAKE12" == refused && "$SESSION13" == none ]]
}

has_session() {  # has_session PORT CERT KEY
  handshake "$@"
  [[ "$HANDSHAKE12" == established && "$SESSION13" == ticket ]]
}

# issue_with CA_ID NAME AUTHORITY START END: $T/certs/NAME.pem and .key,
# issued by CA_ID's CA (pki.sh's files) and naming AUTHORITY, valid from
# START to END (e.g. 20200101000000Z): what pki.sh does not make, expired
# certificates and other authorities' names.
issue_with() {
  local ca="$1" name="$2" authority="$3" start="$4" end="$5" db="$T/certs/ca-$1"
  mkdir -p "$db/new"
  if [[ ! -f "$db/index.txt" ]]; then
    : >"$db/index.txt"
    echo 1000 >"$db/serial"
  fi
  cat >"$db/ca.cnf" <<CNF
[ca]
default_ca = mini
[mini]
database = $db/index.txt
serial = $db/serial
new_certs_dir = $db/new
certificate = $PKI/$ca/ca.pem
private_key = $PKI/$ca/ca.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = copy
[anything]
commonName = supplied
CNF
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/certs/$name.key" -out "$T/certs/$name.csr" -subj "/CN=$authority" \
    -addext "subjectAltName=URI:pwx://authority/$authority,DNS:localhost,IP:127.0.0.1" \
    -addext "extendedKeyUsage=serverAuth,clientAuth" >>"$T/pki.log" 2>&1 &&
    openssl ca -batch -config "$db/ca.cnf" -in "$T/certs/$name.csr" \
      -out "$T/certs/$name.pem" -startdate "$start" -enddate "$end" -notext \
      >>"$T/pki.log" 2>&1 ||
    fail "openssl issues $name" "see $T/pki.log"
}

# replace FILE SOURCE: FILE becomes a copy of SOURCE in one rename (a node
# may read it at any moment).
replace() {
  cp "$2" "$1.tmp" && mv -f "$1.tmp" "$1"
}

# ----------------------------------------------------------------------------
{
  bash "$PKI_SH" authority --out "$PKI" --id FR-DGT
  bash "$PKI_SH" user --out "$PKI" --id FR-DGT --name alice
  bash "$PKI_SH" authority --out "$PKI" --id PL-PIP
  bash "$PKI_SH" user --out "$PKI" --id PL-PIP --name piotr
  bash "$PKI_SH" authority --out "$PKI" --id BE-SPF
  bash "$PKI_SH" user --out "$PKI" --id BE-SPF --name bea
  bash "$PKI_SH" user --out "$PKI" --id PL-PIP --name mallory
  # Empty revocation lists to start with: for PL-PIP, of FR-DGT's node
  # certificates and of its own users.
  bash "$PKI_SH" crl --out "$PKI" --id FR-DGT
  bash "$PKI_SH" crl --out "$PKI" --id PL-PIP
} >"$T/pki.log" 2>&1 || { cat "$T/pki.log"; fail "PKI is created" "pki.sh failed"; }
mkdir -p "$T/crl" "$T/certs"
replace "$T/crl/FR-DGT.crl.pem" "$PKI/FR-DGT/crl.pem"
replace "$T/crl/PL-PIP-users.crl.pem" "$PKI/PL-PIP/crl.pem"
FEDERATION_CONFIG_OF[PL]="crl_files: \"$T/crl/FR-DGT.crl.pem\""
API_CONFIG_OF[PL]="crl_files: \"$T/crl/PL-PIP-users.crl.pem\""
ok "PKIs of FR-DGT, PL-PIP and BE-SPF created with pki.sh"

start FR
start PL
for node in FR PL; do
  for role in inspector auditor; do
    pwx "$node" user grant "${USER_OF[$node]}" "$role"
    [[ $RC -eq 0 ]] || fail "roles are granted" "pwx user grant failed"
  done
done
ok "both nodes up (federation ports ${FED_PORT[FR]} and ${FED_PORT[PL]})"

for node in FR PL; do
  pwx "$node" admin identity export "$T/${AUTHORITY[$node]}.card"
  [[ $RC -eq 0 ]] || fail "identity cards are exported" "exit $RC"
done
pwx FR admin identity export "$T/FR-DGT.card"
[[ $RC -ne 0 ]] || fail "export refuses to overwrite" "exit 0"
pwx FR peer add "$T/PL-PIP.card"
[[ $RC -eq 0 ]] || fail "FR-DGT adds PL-PIP" "exit $RC"
pwx PL peer add "$T/FR-DGT.card"
[[ $RC -eq 0 ]] || fail "PL-PIP adds FR-DGT" "exit $RC"
pwx FR peer add "$T/PL-PIP.card"
[[ $RC -eq 1 ]] && grep -q ALREADY_EXISTS <<<"$ERR" ||
  fail "a peer is added once" "exit $RC"
echo "not a card" >"$T/bad.card"
pwx FR peer add "$T/bad.card"
[[ $RC -eq 2 ]] || fail "a file that is not a card is a usage error" "exit $RC"
ok "identity cards exchanged; peers added once; bad cards refused"

share_new_case 0
first="$LAST_ID"
case_on_pl() { pwx PL case get "$first"; [[ $RC -eq 0 ]]; }
eventually "the shared case reaches PL-PIP" case_on_pl
grep -q "FR-DGT" <<<"$FLAT" || fail "the copy names its owner" "no FR-DGT in it"
pwx PL case note "$first" "seen"
[[ $RC -eq 1 ]] || fail "the copy is read-only" "exit $RC"
pwx FR case share "$first" --with DE-ZOLL
[[ $RC -eq 1 ]] && grep -q NOT_FOUND <<<"$ERR" ||
  fail "sharing with a stranger is NOT_FOUND" "exit $RC"
eventually "FR-DGT holds PL-PIP's receipt" nothing_queued_fr
ok "case $first crossed from FR-DGT to PL-PIP, read-only there, receipted"

# The federation port speaks TLS 1.3 (or 1.2 with AEAD ciphers) only.
fed_tls() {  # fed_tls OPENSSL_ARGS...: a handshake with PL-PIP's peer port
  CMD="openssl s_client $*"
  RC=0
  timeout 10 openssl s_client -connect "127.0.0.1:${FED_PORT[PL]}" \
    -cert "$PKI/FR-DGT/node.pem" -key "$PKI/FR-DGT/node.key" "$@" \
    </dev/null >"$T/out" 2>"$T/err" || RC=$?
}
fed_tls -tls1_3
grep -q "TLSv1.3" "$T/out" || fail "the federation port negotiates TLS 1.3" "no TLSv1.3"
fed_tls -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA
grep -q "ECDHE-ECDSA-AES128-SHA\b" "$T/out" && grep -q "Cipher is ECDHE-ECDSA-AES128-SHA$" "$T/out" &&
  fail "the federation port refuses a CBC cipher suite" "it negotiated ECDHE-ECDSA-AES128-SHA"
ok "federation port: TLS 1.3 negotiated; a non-AEAD suite refused"

# Client certificates PL-PIP's federation port refuses inside the TLS
# handshake: no TLS session at all, not a refused call.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -keyout "$T/certs/self.key" -out "$T/certs/self.pem" -subj "/CN=FR-DGT" \
  -addext "subjectAltName=URI:pwx://authority/FR-DGT,DNS:localhost,IP:127.0.0.1" \
  >>"$T/pki.log" 2>&1 || fail "openssl makes a self-signed certificate" "see $T/pki.log"
issue_with FR-DGT expired FR-DGT 20200101000000Z 20200201000000Z
issue_with FR-DGT fr-as-be BE-SPF 20240101000000Z 20991231000000Z
has_session "${FED_PORT[PL]}" "$PKI/FR-DGT/node.pem" "$PKI/FR-DGT/node.key" ||
  fail "FR-DGT's node certificate gets a TLS session with PL-PIP" \
    "TLS 1.2 handshake $HANDSHAKE12, TLS 1.3 session $SESSION13"
for refused in "self-signed:$T/certs/self" "BE-SPF's (a CA PL-PIP does not trust):$PKI/BE-SPF/node" \
  "expired (FR-DGT's CA):$T/certs/expired"; do
  what="${refused%%:*}" base="${refused#*:}"
  refused_in_handshake "${FED_PORT[PL]}" "$base.pem" "$base.key" ||
    fail "a $what certificate is refused inside the TLS handshake" \
      "TLS 1.2 handshake $HANDSHAKE12, TLS 1.3 session $SESSION13"
done
grep -q "tls: refused a TLS handshake: the certificate presented has expired" "$T/PL.log" ||
  fail "the refusal of the expired certificate is logged" "no such line in PL-PIP's log"
# FR-DGT's CA is trusted, but only for FR-DGT: its certificate naming BE-SPF
# completes the handshake and is refused right after it.
handshake "${FED_PORT[PL]}" "$T/certs/fr-as-be.pem" "$T/certs/fr-as-be.key"
grep -q "federation: refused a connection after the TLS handshake: the peer's certificate is of BE-SPF" "$T/PL.log" ||
  fail "a certificate of FR-DGT's CA naming BE-SPF is refused after the handshake" \
    "no such line in PL-PIP's log"
ok "openssl s_client: self-signed, untrusted-CA and expired certificates get no TLS session; FR-DGT's CA naming BE-SPF is refused right after the handshake"

# A third node, in its own process: FR-DGT shares with two peers.
# Its card is made offline by pki.sh from its PKI and endpoint.
start BE
pwx BE user grant bea inspector
bash "$PKI_SH" card --out "$PKI" --id BE-SPF --endpoint "127.0.0.1:${FED_PORT[BE]}" \
  --name "Service public fédéral Emploi" >>"$T/pki.log" 2>&1 ||
  fail "pki.sh card writes BE-SPF's identity card" "see $T/pki.log"
pwx FR peer add "$PKI/BE-SPF/identity.card"
[[ $RC -eq 0 ]] || fail "FR-DGT adds BE-SPF from the card pki.sh made" "exit $RC"
pwx BE peer add "$T/FR-DGT.card"
[[ $RC -eq 0 ]] || fail "BE-SPF adds FR-DGT" "exit $RC"
pwx FR case share "$first" --with BE-SPF
[[ $RC -eq 0 ]] || fail "FR-DGT shares with BE-SPF" "exit $RC"
case_on_be() { pwx BE case get "$first"; [[ $RC -eq 0 ]]; }
eventually "the case reaches BE-SPF too" case_on_be
ok "three node processes (BE-SPF's card from pki.sh card): $first reached PL-PIP and BE-SPF"

# Impostors at PL-PIP's endpoint: FR-DGT's dispatcher checks the server
# certificate and sends nothing. First a server with a certificate of
# PL-PIP's CA naming BE-SPF, then BE-SPF's real node.
issue_with PL-PIP pl-as-be BE-SPF 20240101000000Z 20991231000000Z
openssl s_server -www -accept 127.0.0.1:0 -alpn h2 -cert "$T/certs/pl-as-be.pem" \
  -key "$T/certs/pl-as-be.key" >"$T/s_server.log" 2>&1 </dev/null &
# Under a name of its own in PID, so that it is killed on every exit.
PID[IMPOSTOR]=$!
for ((i = 0; i < 50; i++)); do
  grep -q "^ACCEPT" "$T/s_server.log" && break
  sleep 0.1
done
impostor_port="$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$T/s_server.log")"
[[ -n "$impostor_port" ]] || fail "openssl s_server listens" "$(cat "$T/s_server.log")"
point_pl_at() {  # point_pl_at PORT: FR-DGT's card of PL-PIP names 127.0.0.1:PORT
  sed -E "s/^federation_endpoint: .*/federation_endpoint: \"127.0.0.1:$1\"/" \
    "$T/PL-PIP.card" >"$T/PL-PIP.moved.card"
  pwx FR peer update "$T/PL-PIP.moved.card"
  [[ $RC -eq 0 ]] || fail "FR-DGT updates PL-PIP's card" "exit $RC"
}
fr_error_says() {  # fr_error_says TEXT: FR-DGT's peer list shows TEXT
  pwx FR peer list
  grep -qF -- "$1" "$T/out"
}
point_pl_at "$impostor_port"
share_new_case impostor
eventually "FR-DGT refuses a server certificate of PL-PIP's CA naming BE-SPF" \
  fr_error_says "UNAUTHENTICATED: the server certificate of PL-PIP names pwx://authority/BE-SPF, not PL-PIP"
stop IMPOSTOR TERM
point_pl_at "${FED_PORT[BE]}"
eventually "FR-DGT refuses BE-SPF's node answering at PL-PIP's endpoint" \
  fr_error_says "UNAUTHENTICATED: the server certificate of PL-PIP is not issued by the CA on PL-PIP's identity card (unknown CA)"
pwx FR peer update "$T/PL-PIP.card"
[[ $RC -eq 0 ]] || fail "FR-DGT restores PL-PIP's card" "exit $RC"
eventually "the share waiting for PL-PIP arrives once its card is right" nothing_queued_fr
stop BE KILL
SENT=2  # envelopes PL-PIP has applied and receipted: the first case and this one
ok "impostor servers (PL-PIP's CA naming BE-SPF; BE-SPF's node) refused by FR-DGT's dispatcher, the reason in pwx peer list"

# The receiver dies; shares queue; it comes back and gets everything once.
stop PL KILL
for ((i = 1; i <= 10; i++)); do share_new_case "$i"; done
queued_for FR PL-PIP
[[ "$QUEUED" -ge 1 ]] || fail "shares queue while PL-PIP is down" "queued=$QUEUED"
start PL
eventually "the queue drains once PL-PIP is back" nothing_queued_fr
SENT=$((SENT + 10))
count_cases PL
[[ "$COUNT" -eq $SENT ]] || fail "PL-PIP holds all $SENT cases" "it holds $COUNT"
count_receives PL
[[ "$RECEIVED" -eq $SENT ]] || fail "each envelope was applied once" "$RECEIVED receives"
ok "PL-PIP killed with 10 shares queued, restarted: all $SENT applied once"

# The sender dies while delivering a backlog; restarted, it finishes it.
pwx PL peer suspend FR-DGT
[[ $RC -eq 0 ]] || fail "PL-PIP suspends FR-DGT" "exit $RC"
for ((i = SENT; i < SENT + BACKLOG; i++)); do share_new_case "$i"; done
pwx PL peer resume FR-DGT
[[ $RC -eq 0 ]] || fail "PL-PIP resumes FR-DGT" "exit $RC"
# Kill FR-DGT once some of the backlog is through and some is not.
partly_delivered() {
  pwx PL --output json peer list
  local received
  received="$(json_uint receivedSequence)"
  [[ "$received" -gt $SENT ]]
}
eventually "delivery of the backlog starts" partly_delivered
stop FR KILL
pwx PL --output json peer list
echo "# FR-DGT killed with $(($(json_uint receivedSequence) - SENT)) of $BACKLOG delivered"
start FR
eventually "the backlog drains after FR-DGT's restart" nothing_queued_fr
SENT=$((SENT + BACKLOG))
count_cases PL
[[ "$COUNT" -eq $SENT ]] ||
  fail "PL-PIP holds every case" "it holds $COUNT of $SENT"
count_receives PL
[[ "$RECEIVED" -eq $SENT ]] ||
  fail "nothing was applied twice" "$RECEIVED receives for $SENT envelopes"
pwx PL --output json peer list
[[ "$(json_uint receivedSequence)" -eq $SENT ]] ||
  fail "PL-PIP received sequences 1..$SENT" "$(json_uint receivedSequence)"
ok "FR-DGT killed while delivering $BACKLOG envelopes, restarted: none lost, none twice"

# The auditor's view of the same: one receipt per envelope, each verified by
# the CLI against PL-PIP's signing certificate.
receipts_of_pl() {
  pwx FR audit receipts --peer PL-PIP --all
  [[ $RC -eq 0 ]] || fail "$1: pwx audit receipts verifies them" "exit $RC: $ERR"
  local verified unique
  verified="$(grep -c ' verified' "$T/out")"
  unique="$(awk 'NR > 1 && NF { print $1 }' "$T/out" | sort -un | wc -l)"
  [[ "$verified" -eq $SENT && "$unique" -eq $SENT ]] ||
    fail "$1: one verified receipt per envelope" \
      "$verified verified rows, $unique sequences for $SENT envelopes"
}
receipts_of_pl "after the backlog"
ok "pwx audit receipts: PL-PIP's signed receipt for each of the $SENT envelopes, verified"

# An expired revocation list of FR-DGT's CA (nextUpdate a second after it
# was issued) is reported by PL-PIP and does not lock FR-DGT out.
mkdir -p "$T/certs/crl-db"
: >"$T/certs/crl-db/index.txt"
cat >"$T/certs/crl-db/ca.cnf" <<CNF
[ca]
default_ca = mini
[mini]
database = $T/certs/crl-db/index.txt
certificate = $PKI/FR-DGT/ca.pem
private_key = $PKI/FR-DGT/ca.key
default_md = sha256
CNF
openssl ca -config "$T/certs/crl-db/ca.cnf" -gencrl -crlsec 1 \
  -out "$T/certs/expiring.crl.pem" >>"$T/pki.log" 2>&1 ||
  fail "openssl writes a CRL valid for a second" "see $T/pki.log"
replace "$T/crl/FR-DGT.crl.pem" "$T/certs/expiring.crl.pem"
sleep 2
pl_warns_of_expiry() {
  pwx PL peer list
  grep -q "  warning: federation.crl_files\[0\] ($T/crl/FR-DGT.crl.pem): the list of CA 'CN=FR-DGT CA.*' expired at " "$T/out"
}
eventually "PL-PIP's peer list warns of FR-DGT's expired CRL" pl_warns_of_expiry
grep -q "tls: federation.crl_files\[0\] ($T/crl/FR-DGT.crl.pem): the list of CA .* expired at .*(its nextUpdate)" "$T/PL.log" ||
  fail "the expired CRL is logged" "no such line in PL-PIP's log"
share_new_case expired-crl
eventually "FR-DGT still delivers to PL-PIP" nothing_queued_fr
SENT=$((SENT + 1))
replace "$T/crl/FR-DGT.crl.pem" "$PKI/FR-DGT/crl.pem"
no_warning() {
  pwx PL peer list
  ! grep -q "warning:" "$T/out"
}
eventually "the warning goes once the CRL is fresh again" no_warning
ok "an expired CRL of FR-DGT's CA: logged and shown by pwx peer list on PL-PIP, FR-DGT not locked out"

# FR-DGT's node certificate is revoked (pki.sh revoke + crl) and the new
# list replaces PL-PIP's file while it runs: FR-DGT gets no TLS session.
{
  bash "$PKI_SH" revoke --out "$PKI" --id FR-DGT --cert "$PKI/FR-DGT/node.pem"
  bash "$PKI_SH" crl --out "$PKI" --id FR-DGT
} >>"$T/pki.log" 2>&1 || { cat "$T/pki.log"; fail "pki.sh revokes" "pki.sh failed"; }
replace "$T/crl/FR-DGT.crl.pem" "$PKI/FR-DGT/crl.pem"
fr_refused() {
  refused_in_handshake "${FED_PORT[PL]}" "$PKI/FR-DGT/node.pem" "$PKI/FR-DGT/node.key"
}
eventually "PL-PIP refuses FR-DGT's revoked certificate inside the TLS handshake" fr_refused
grep -q "tls: read again: federation.crl_files\[0\]" "$T/PL.log" ||
  fail "PL-PIP logs that it read the CRL again" "no such line in PL-PIP's log"
share_new_case revoked
# Over the connection it had, FR-DGT hears why in the call; over a new one
# PL-PIP closes the connection in the handshake, and FR-DGT can only guess.
fr_told_it_is_refused() {
  pwx FR peer list
  grep -qF "PL-PIP answered: the certificate of FR-DGT is revoked" "$T/out" ||
    grep -qF "PL-PIP closed the connection right after the TLS handshake: it most likely refuses this node's certificate" "$T/out"
}
eventually "FR-DGT's peer list says PL-PIP refuses its certificate" fr_told_it_is_refused
grep -q "tls: refused a TLS handshake: the certificate presented is revoked" "$T/PL.log" ||
  fail "PL-PIP logs why" "no such line in PL-PIP's log"
queued_for FR PL-PIP
[[ "$QUEUED" -ge 1 ]] || fail "the share waits" "queued=$QUEUED"
ok "a node certificate revoked with pki.sh revoke/crl while PL-PIP runs: no TLS session, logged; FR-DGT's peer list says so"

# A user certificate of PL-PIP revoked while it runs (api.crl_files).
pwx_as_mallory() {
  run "$CLI_BIN" --server "localhost:${API_PORT[PL]}" --ca "$PKI/PL-PIP/ca.pem" \
    --cert "$PKI/PL-PIP/users/mallory.pem" --key "$PKI/PL-PIP/users/mallory.key" case list
}
pwx_as_mallory
[[ $RC -ne 0 ]] && grep -q PERMISSION_DENIED <<<"$ERR" ||
  fail "mallory (no role) reaches PL-PIP's API" "exit $RC"
has_session "${API_PORT[PL]}" "$PKI/PL-PIP/users/mallory.pem" "$PKI/PL-PIP/users/mallory.key" ||
  fail "mallory gets a TLS session first" "TLS 1.2 handshake $HANDSHAKE12, TLS 1.3 session $SESSION13"
{
  bash "$PKI_SH" revoke --out "$PKI" --id PL-PIP --cert "$PKI/PL-PIP/users/mallory.pem"
  bash "$PKI_SH" crl --out "$PKI" --id PL-PIP
} >>"$T/pki.log" 2>&1 || { cat "$T/pki.log"; fail "pki.sh revokes mallory" "pki.sh failed"; }
replace "$T/crl/PL-PIP-users.crl.pem" "$PKI/PL-PIP/crl.pem"
mallory_refused() {
  refused_in_handshake "${API_PORT[PL]}" "$PKI/PL-PIP/users/mallory.pem" "$PKI/PL-PIP/users/mallory.key"
}
eventually "PL-PIP's API port refuses mallory's revoked certificate inside the TLS handshake" mallory_refused
pwx_as_mallory
[[ $RC -ne 0 ]] && ! grep -q PERMISSION_DENIED <<<"$ERR" ||
  fail "mallory's call never reaches the API" "exit $RC"
pwx PL case list
[[ $RC -eq 0 ]] || fail "piotr still works" "exit $RC"
ok "a user certificate revoked while PL-PIP runs: no TLS session on the API port; other users unaffected"

pwx FR peer list
[[ $RC -eq 0 ]] && grep -q "AUTHORITY" "$T/out" && grep -q "PL-PIP" "$T/out" ||
  fail "pwx peer list shows PL-PIP in a table" "exit $RC"
pwx FR peer remove PL-PIP
[[ $RC -eq 0 ]] && grep -q "removed peer PL-PIP" "$T/out" ||
  fail "pwx peer remove works" "exit $RC"
pwx FR case share "$first" --with PL-PIP
[[ $RC -eq 1 ]] && grep -q NOT_FOUND <<<"$ERR" ||
  fail "a removed peer is a stranger again" "exit $RC"
receipts_of_pl "after PL-PIP's removal"
ok "peer list as a table; a removed peer gets nothing more; its receipts stay"

e2e_done
