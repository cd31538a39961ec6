#!/usr/bin/env bash
# End-to-end test of a federation link's life between two pwx-server
# processes, FR-DGT and PL-PIP, driven through the pwx CLI as their
# coordinators and inspectors. Registered with ctest as link_e2e:
#
#   link_e2e.sh PWX_SERVER_BINARY PWX_CLI_BINARY PKI_SH
#
# Checks, each ending with a share delivered once: the peer removed and
# added again with the same card; its card replaced (new endpoint) with
# `pwx peer update`; suspended and resumed; the receiver restored from a
# backup (`pwx peer resend`); the sender restored from a backup (`pwx peer
# skip`); the receiver stopped with SIGSTOP (an error within the call's
# deadline, then delivery when it continues).
set -euo pipefail

E2E_NAME="link_e2e"
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
e2e_binaries "$@"

readonly START_TIMEOUT_S=60  # generous: sanitizer builds start slowly
DELIVERY_TIMEOUT_S=120  # the stopped-peer check shortens it
readonly CLI_TIMEOUT_S=30
declare -A AUTHORITY=([FR]="FR-DGT" [PL]="PL-PIP")
declare -A USER_OF=([FR]="alice" [PL]="piotr")
FEDERATION_CONFIG="retry_initial_ms: 50 retry_max_ms: 500 call_timeout_ms: 2000"
e2e_tmpdir
readonly PKI="$T/pki"
# shellcheck source=tests/e2e/nodes.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/nodes.sh"

share_new_case() {  # share_new_case NAME: FR files a case and shares it
  pwx FR --output json case create --title "Link $1" \
    --undertaking-name "Firm $1" --undertaking-country PL
  [[ $RC -eq 0 ]] || fail "FR-DGT files a case" "exit $RC"
  LAST_ID="$(grep -oE 'FR-DGT-[0-9]{4}-[0-9]{6}' <<<"$FLAT" | head -n 1)"
  pwx FR case share "$LAST_ID" --with PL-PIP
  [[ $RC -eq 0 ]] || fail "FR-DGT shares $LAST_ID" "exit $RC"
}
on_pl() { pwx PL case get "$LAST_ID"; [[ $RC -eq 0 ]]; }
drained() {
  peer_json FR PL-PIP
  [[ "$(json_uint queued)" -eq 0 && -z "$(json_string problem)" ]]
}
received() {  # received: sets RECEIVED, PL-PIP's envelope.receive entries
  pwx PL --output json audit entries --all --action envelope.receive
  [[ $RC -eq 0 ]] || fail "pwx audit entries works" "exit $RC"
  RECEIVED="$(grep -oE '"action" *: *"envelope.receive"' <<<"$FLAT" | grep -c . || true)"
}
# delivered_once WHAT N: the last share reached PL-PIP, FR-DGT's queue is
# empty, and PL-PIP's log (since its last restore) has N receives.
delivered_once() {
  eventually "$1: the share reaches PL-PIP" on_pl
  eventually "$1: FR-DGT's queue drains" drained
  received
  [[ "$RECEIVED" -eq "$2" ]] || fail "$1: each envelope applied once" \
    "$RECEIVED receives, expected $2"
}
has_problem() { peer_json FR PL-PIP; [[ -n "$(json_string problem)" ]]; }

{
  bash "$PKI_SH" authority --out "$PKI" --id FR-DGT
  bash "$PKI_SH" user --out "$PKI" --id FR-DGT --name alice
  bash "$PKI_SH" authority --out "$PKI" --id PL-PIP
  bash "$PKI_SH" user --out "$PKI" --id PL-PIP --name piotr
} >"$T/pki.log" 2>&1 || { cat "$T/pki.log"; fail "PKI is created" "pki.sh failed"; }
start FR
start PL
for node in FR PL; do
  pwx "$node" admin identity export "$T/${AUTHORITY[$node]}.card"
  [[ $RC -eq 0 ]] || fail "identity cards are exported" "exit $RC"
done
pwx FR peer add "$T/PL-PIP.card"
[[ $RC -eq 0 ]] || fail "FR-DGT adds PL-PIP" "exit $RC"
pwx PL peer add "$T/FR-DGT.card"
[[ $RC -eq 0 ]] || fail "PL-PIP adds FR-DGT" "exit $RC"
share_new_case first
delivered_once "first share" 1
ok "two nodes federated; a first case delivered"

# Removed and added again with the same card (the way a rotated card was
# taken before `peer update`): the link goes on where it was.
pwx FR peer remove PL-PIP
[[ $RC -eq 0 ]] || fail "FR-DGT removes PL-PIP" "exit $RC"
pwx FR peer add "$T/PL-PIP.card"
[[ $RC -eq 0 ]] || fail "FR-DGT adds PL-PIP again" "exit $RC"
share_new_case readded
delivered_once "after a re-add" 2
ok "peer removed and added again with the same card: the next share delivered once"

# PL-PIP moves to another federation port; its new card replaces the old.
stop PL TERM
unset "FED_PORT[PL]"
start PL
share_new_case moved
pwx PL admin identity export "$T/PL-PIP.moved.card"
[[ $RC -eq 0 ]] || fail "PL-PIP exports its new card" "exit $RC"
pwx FR peer update "$T/PL-PIP.moved.card"
[[ $RC -eq 0 ]] || fail "FR-DGT takes PL-PIP's new card" "exit $RC: $ERR"
grep -q "127.0.0.1:${FED_PORT[PL]}" "$T/out" || fail "the update shows the new endpoint" "not in the output"
delivered_once "after a card update" 3
ok "card replaced with pwx peer update (new endpoint): the queued share delivered once"

pwx FR peer suspend PL-PIP
[[ $RC -eq 0 ]] || fail "FR-DGT suspends PL-PIP" "exit $RC"
share_new_case suspended
sleep 1
pwx PL case get "$LAST_ID"
[[ $RC -eq 1 ]] || fail "nothing goes to a suspended peer" "exit $RC"
pwx FR peer resume PL-PIP
[[ $RC -eq 0 ]] || fail "FR-DGT resumes PL-PIP" "exit $RC"
delivered_once "after suspend and resume" 4
ok "suspended: the share waited; resumed: delivered once"

# The receiver is restored from a backup taken before two shares.
pwx PL backup create "$T/backup-PL"
[[ $RC -eq 0 ]] || fail "PL-PIP is backed up" "exit $RC"
share_new_case after-backup-1
share_new_case after-backup-2
delivered_once "before the restore" 6
stop PL KILL
DATA_OF[PL]="$T/data/PL-PIP.restored"
run "$SERVER_BIN" restore --backup-dir "$T/backup-PL" --data-dir "${DATA_OF[PL]}"
[[ $RC -eq 0 ]] || fail "pwx-server restore restores PL-PIP" "exit $RC: $ERR"
start PL
share_new_case after-restore
eventually "FR-DGT's peer list says the link needs a coordinator" has_problem
problem="$(json_string problem)"
grep -q "pwx peer resend PL-PIP --from 5" <<<"$problem" ||
  fail "the problem names the resend that repairs it" "$problem"
pwx FR peer resend PL-PIP --from 5
[[ $RC -eq 0 ]] || fail "FR-DGT resends from 5" "exit $RC: $ERR"
delivered_once "after the receiver's restore" 7
ok "receiver restored from a backup: peer list said 'pwx peer resend PL-PIP --from 5'; resent, all delivered"

# The sender is restored from a backup; PL-PIP has applied what it lost.
pwx FR --output json case create --title "In the backup" \
  --undertaking-name "Firm kept" --undertaking-country PL
[[ $RC -eq 0 ]] || fail "FR-DGT files a case" "exit $RC"
kept="$(grep -oE 'FR-DGT-[0-9]{4}-[0-9]{6}' <<<"$FLAT" | head -n 1)"
pwx FR backup create "$T/backup-FR"
[[ $RC -eq 0 ]] || fail "FR-DGT is backed up" "exit $RC"
share_new_case sender-1
share_new_case sender-2
delivered_once "before the sender's restore" 9
stop FR KILL
DATA_OF[FR]="$T/data/FR-DGT.restored"
run "$SERVER_BIN" restore --backup-dir "$T/backup-FR" --data-dir "${DATA_OF[FR]}"
[[ $RC -eq 0 ]] || fail "pwx-server restore restores FR-DGT" "exit $RC: $ERR"
start FR
pwx FR case share "$kept" --with PL-PIP
[[ $RC -eq 0 ]] || fail "FR-DGT shares a case of its backup" "exit $RC"
LAST_ID="$kept"
eventually "FR-DGT's peer list says the link needs a coordinator" has_problem
problem="$(json_string problem)"
grep -q "pwx peer skip PL-PIP --to 10" <<<"$problem" ||
  fail "the problem names the skip that repairs it" "$problem"
pwx FR peer skip PL-PIP --to 10
[[ $RC -eq 0 ]] || fail "FR-DGT skips to 10" "exit $RC: $ERR"
delivered_once "after the sender's restore" 10
ok "sender restored from a backup: peer list said 'pwx peer skip PL-PIP --to 10'; skipped, delivered once"

# A peer that accepts connections but never answers.
kill -STOP "${PID[PL]}"
share_new_case stopped
says_no_answer() {
  peer_json FR PL-PIP
  grep -q "did not answer within" <<<"$FLAT"
}
DELIVERY_TIMEOUT_S=20 eventually "a stopped peer shows an error within the deadline" says_no_answer
kill -CONT "${PID[PL]}"
delivered_once "after SIGCONT" 11
ok "peer stopped with SIGSTOP: 'did not answer within 2s' in peer list; delivered once it continued"

e2e_done
