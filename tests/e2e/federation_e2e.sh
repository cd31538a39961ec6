#!/usr/bin/env bash
# End-to-end test of federation between two pwx-server processes, FR-DGT and
# PL-PIP, driven through the pwx CLI as their coordinators and inspectors.
# Registered with ctest as federation_e2e (tests/e2e/CMakeLists.txt):
#
#   federation_e2e.sh PWX_SERVER_BINARY PWX_CLI_BINARY PKI_SH
#
# Checks: identity cards exchanged and peers added; a case shared across;
# the receiver killed (SIGKILL) while shares queue up, then restarted:
# everything arrives once; the sender killed (SIGKILL) while it delivers a
# backlog, then restarted: nothing lost, nothing applied twice.
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
declare -A PID=() API_PORT=() FED_PORT=() CRL_OF=()

e2e_on_exit() {
  local node
  for node in "${!PID[@]}"; do
    kill -KILL "${PID[$node]}" 2>/dev/null || true
    wait "${PID[$node]}" 2>/dev/null || true
  done
}

e2e_on_failure() {
  local node
  for node in FR PL BE; do
    if [[ -f "$T/$node.log" ]]; then
      echo "#   --- last lines of the $node log ---"
      tail -n 40 "$T/$node.log" | sed 's/^/#   /'
    fi
  done
}

e2e_tmpdir
readonly PKI="$T/pki"

# pwx NODE ARGS...: the CLI on NODE as its user.
pwx() {
  local node="$1" id
  shift
  id="${AUTHORITY[$node]}"
  run "$CLI_BIN" --server "localhost:${API_PORT[$node]}" --ca "$PKI/$id/ca.pem" \
    --cert "$PKI/$id/users/${USER_OF[$node]}.pem" \
    --key "$PKI/$id/users/${USER_OF[$node]}.key" "$@"
}

# start NODE: starts the node's pwx-server; the federation port stays the
# same across restarts (peers hold it on its identity card).
start() {
  local node="$1" id fed
  id="${AUTHORITY[$node]}"
  fed="127.0.0.1:${FED_PORT[$node]:-0}"
  rm -f "$T/$node.port" "$T/$node.fedport"
  # One envelope per call and short retries, so a backlog takes many calls and a
  # restart is noticed quickly.
  local crl=""
  [[ -n "${CRL_OF[$node]:-}" ]] && crl="crl_files: \"${CRL_OF[$node]}\""
  cat >"$T/$node.textproto" <<EOF
federation {
  max_batch: 1
  retry_initial_ms: 50
  retry_max_ms: 500
  $crl
}
EOF
  CMD=""
  "$SERVER_BIN" \
    --config "$T/$node.textproto" \
    --authority-id "$id" \
    --data-dir "$T/data/$id" \
    --api-listen 127.0.0.1:0 \
    --port-file "$T/$node.port" \
    --federation-listen "$fed" \
    --federation-port-file "$T/$node.fedport" \
    --api-cert "$PKI/$id/node.pem" \
    --api-key "$PKI/$id/node.key" \
    --api-client-ca "$PKI/$id/ca.pem" \
    --admin-user "${USER_OF[$node]}" \
    --log-format text \
    >>"$T/$node.log" 2>&1 </dev/null &
  PID[$node]=$!
  API_PORT[$node]="$(wait_port "$T/$node.port" "${PID[$node]}")" ||
    fail "$id starts" "no API port file"
  FED_PORT[$node]="$(wait_port "$T/$node.fedport" "${PID[$node]}")" ||
    fail "$id starts" "no federation port file"
}

kill9() {
  local node="$1"
  kill -KILL "${PID[$node]}" 2>/dev/null || true
  wait "${PID[$node]}" 2>/dev/null || true
  unset "PID[$node]"
}

# eventually DESCRIPTION COMMAND...: retries COMMAND (a shell function that
# returns 0 when done) until it succeeds or the delivery timeout passes.
eventually() {
  local what="$1" deadline=$((SECONDS + DELIVERY_TIMEOUT_S))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || fail "$what" "not within ${DELIVERY_TIMEOUT_S}s"
    sleep 0.2
  done
}

queued_for() {  # queued_for NODE PEER: sets QUEUED, the envelopes waiting for PEER
  pwx "$1" --output json peer list
  [[ $RC -eq 0 ]] || fail "pwx peer list works" "exit $RC"
  # One peer's object: from its authority id to the next peer's.
  FLAT="$(sed -E "s/.*(\"authorityId\": *\"$2\")/\1/; s/\"peer\": *\{.*//" <<<"$FLAT")"
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

# ----------------------------------------------------------------------------
{
  bash "$PKI_SH" authority --out "$PKI" --id FR-DGT
  bash "$PKI_SH" user --out "$PKI" --id FR-DGT --name alice
  bash "$PKI_SH" authority --out "$PKI" --id PL-PIP
  bash "$PKI_SH" user --out "$PKI" --id PL-PIP --name piotr
  bash "$PKI_SH" authority --out "$PKI" --id BE-SPF
  bash "$PKI_SH" user --out "$PKI" --id BE-SPF --name bea
} >"$T/pki.log" 2>&1 || { cat "$T/pki.log"; fail "PKI is created" "pki.sh failed"; }
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
kill9 BE
ok "three node processes (BE-SPF's card from pki.sh card): $first reached PL-PIP and BE-SPF"

# The receiver dies; shares queue; it comes back and gets everything once.
kill9 PL
for ((i = 1; i <= 10; i++)); do share_new_case "$i"; done
queued_for FR PL-PIP
[[ "$QUEUED" -ge 1 ]] || fail "shares queue while PL-PIP is down" "queued=$QUEUED"
start PL
eventually "the queue drains once PL-PIP is back" nothing_queued_fr
count_cases PL
[[ "$COUNT" -eq 11 ]] || fail "PL-PIP holds all 11 cases" "it holds $COUNT"
count_receives PL
[[ "$RECEIVED" -eq 11 ]] || fail "each envelope was applied once" "$RECEIVED receives"
ok "PL-PIP killed with 10 shares queued, restarted: all 11 applied once"

# The sender dies while delivering a backlog; restarted, it finishes it.
pwx PL peer suspend FR-DGT
[[ $RC -eq 0 ]] || fail "PL-PIP suspends FR-DGT" "exit $RC"
for ((i = 11; i < 11 + BACKLOG; i++)); do share_new_case "$i"; done
pwx PL peer resume FR-DGT
[[ $RC -eq 0 ]] || fail "PL-PIP resumes FR-DGT" "exit $RC"
# Kill FR-DGT once some of the backlog is through and some is not.
partly_delivered() {
  pwx PL --output json peer list
  local received
  received="$(json_uint receivedSequence)"
  [[ "$received" -gt 11 ]]
}
eventually "delivery of the backlog starts" partly_delivered
kill9 FR
pwx PL --output json peer list
echo "# FR-DGT killed with $(($(json_uint receivedSequence) - 11)) of $BACKLOG delivered"
start FR
eventually "the backlog drains after FR-DGT's restart" nothing_queued_fr
count_cases PL
[[ "$COUNT" -eq $((11 + BACKLOG)) ]] ||
  fail "PL-PIP holds every case" "it holds $COUNT of $((11 + BACKLOG))"
count_receives PL
[[ "$RECEIVED" -eq $((11 + BACKLOG)) ]] ||
  fail "nothing was applied twice" "$RECEIVED receives for $((11 + BACKLOG)) envelopes"
pwx PL --output json peer list
[[ "$(json_uint receivedSequence)" -eq $((11 + BACKLOG)) ]] ||
  fail "PL-PIP received sequences 1..$((11 + BACKLOG))" "$(json_uint receivedSequence)"
ok "FR-DGT killed while delivering $BACKLOG envelopes, restarted: none lost, none twice"

# The auditor's view of the same: one receipt per envelope, each verified by
# the CLI against PL-PIP's signing certificate.
receipts_of_pl() {
  pwx FR audit receipts --peer PL-PIP --all
  [[ $RC -eq 0 ]] || fail "$1: pwx audit receipts verifies them" "exit $RC: $ERR"
  local verified unique
  verified="$(grep -c ' verified' "$T/out")"
  unique="$(awk 'NR > 1 && NF { print $1 }' "$T/out" | sort -un | wc -l)"
  [[ "$verified" -eq $((11 + BACKLOG)) && "$unique" -eq $((11 + BACKLOG)) ]] ||
    fail "$1: one verified receipt per envelope" \
      "$verified verified rows, $unique sequences for $((11 + BACKLOG)) envelopes"
}
receipts_of_pl "after the backlog"
ok "pwx audit receipts: PL-PIP's signed receipt for each of the $((11 + BACKLOG)) envelopes, verified"

# FR-DGT's node certificate is revoked (pki.sh revoke + crl); PL-PIP,
# restarted with the CRL, refuses it.
{
  bash "$PKI_SH" revoke --out "$PKI" --id FR-DGT --cert "$PKI/FR-DGT/node.pem"
  bash "$PKI_SH" crl --out "$PKI" --id FR-DGT
} >>"$T/pki.log" 2>&1 || { cat "$T/pki.log"; fail "pki.sh revokes" "pki.sh failed"; }
CRL_OF[PL]="$PKI/FR-DGT/crl.pem"
kill9 PL
start PL
share_new_case revoked
refused_as_revoked() {
  grep -q "refused a TLS handshake: the certificate presented is revoked" "$T/PL.log"
}
eventually "PL-PIP refuses FR-DGT's revoked certificate at the handshake" refused_as_revoked
queued_for FR PL-PIP
[[ "$QUEUED" -ge 1 ]] || fail "the share waits" "queued=$QUEUED"
ok "a certificate revoked with pki.sh revoke/crl is refused by the peer at the TLS handshake, and logged"

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
