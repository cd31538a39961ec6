#!/usr/bin/env bash
# End-to-end test of pwx-server and the pwx CLI over mutual TLS, as a user
# sees them. Registered with ctest as cli_e2e (tests/e2e/CMakeLists.txt):
#
#   cli_e2e.sh PWX_SERVER_BINARY PWX_CLI_BINARY PKI_SH
#
# Needs bash, coreutils, grep, sed and the openssl CLI only (no python, no jq).
# Prints "ok - ..." per check; the first failing check prints "not ok - ...",
# the server's log and the failing command's output, and exits 1.
set -euo pipefail

E2E_NAME="cli_e2e"
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
e2e_binaries "$@"

readonly ID="FR-DGT"
readonly CASE_ID_RE="$ID-[0-9]{4}-[0-9]{6}"
readonly START_TIMEOUT_S=60  # generous: sanitizer builds start slowly
readonly STOP_TIMEOUT_S=15
readonly CLI_TIMEOUT_S=30

SERVER_PIDS=()
CURRENT_LOG=""

# forget_server PID: the server has been reaped; never signal its pid again
# (it may be reused by an unrelated process).
forget_server() {
  local pid kept=()
  for pid in "${SERVER_PIDS[@]}"; do
    [[ "$pid" == "$1" ]] || kept+=("$pid")
  done
  SERVER_PIDS=("${kept[@]}")
}

e2e_on_exit() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

e2e_on_failure() {
  if [[ -n "$CURRENT_LOG" && -f "$CURRENT_LOG" ]]; then
    echo "#   --- last lines of the server log $CURRENT_LOG ---"
    tail -n 100 "$CURRENT_LOG" | sed 's/^/#   /'
  fi
}

e2e_tmpdir

# pwx_as USER ARGS...: the CLI as a user of FR-DGT (or a full cert path pair
# through pwx_with), against the current server.
pwx_as() {
  local user="$1"
  shift
  pwx_with "$PKI/$ID/users/$user.pem" "$PKI/$ID/users/$user.key" "$@"
}

pwx_with() {
  local cert="$1" key="$2"
  shift 2
  run "$CLI_BIN" --server "localhost:$PORT" --ca "$PKI/$ID/ca.pem" \
    --cert "$cert" --key "$key" "$@"
}

# case_ids: the distinct case ids in $FLAT, one per line.
case_ids() {
  grep -oE "\"id\" *: *\"$CASE_ID_RE\"" <<<"$FLAT" | grep -oE "$CASE_ID_RE" | sort -u || true
}

# count_cases: sets COUNT to the number of cases alice can list.
count_cases() {
  pwx_as alice --output json case list
  [[ $RC -eq 0 ]] || fail "pwx case list works" "pwx case list failed"
  COUNT="$(case_ids | grep -c . || true)"
}

expect_failure_with_code() {  # DESCRIPTION GRPC_CODE
  [[ $RC -eq 1 ]] || fail "$1" "expected exit status 1, got $RC"
  grep -q "$2" <<<"$ERR" || fail "$1" "expected $2 on stderr"
}

# start_server DATA_DIR LOG: starts pwx-server with flags only on a free port
# and waits for its port file; sets SERVER_PID and PORT.
start_server() {
  local data="$1" log="$2" port_file="$T/port"
  rm -f "$port_file"
  CURRENT_LOG="$log"
  CMD=""
  "$SERVER_BIN" \
    --authority-id "$ID" \
    --data-dir "$data" \
    --api-listen 127.0.0.1:0 \
    --port-file "$port_file" \
    --api-cert "$PKI/$ID/node.pem" \
    --api-key "$PKI/$ID/node.key" \
    --api-client-ca "$PKI/$ID/ca.pem" \
    --admin-user alice \
    --bootstrap-role alice=inspector \
    --log-format text \
    >>"$log" 2>&1 </dev/null &
  SERVER_PID=$!
  SERVER_PIDS+=("$SERVER_PID")
  PORT="$(wait_port "$port_file" "$SERVER_PID")" ||
    fail "pwx-server starts" "pwx-server exited, or wrote no valid port to $port_file within ${START_TIMEOUT_S}s"
}

# stop_server_expect_clean DESCRIPTION: SIGTERM, then the server must exit
# with status 0 within STOP_TIMEOUT_S seconds.
stop_server_expect_clean() {
  local pid="$SERVER_PID" status=0 state i
  kill -TERM "$pid"
  # The server is our child: once it exits it stays a zombie (state Z, still
  # visible to kill -0) until `wait` reaps it and yields its exit status.
  for ((i = 0; i < STOP_TIMEOUT_S * 10; i++)); do
    state="$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null || echo gone)"
    [[ "$state" == "Z" || "$state" == "gone" ]] && break
    sleep 0.1
  done
  CMD=""
  if [[ "$state" != "Z" && "$state" != "gone" ]]; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    forget_server "$pid"
    fail "$1" "pwx-server did not exit within ${STOP_TIMEOUT_S}s of SIGTERM (killed)"
  fi
  wait "$pid" || status=$?
  forget_server "$pid"
  [[ $status -eq 0 ]] || fail "$1" "pwx-server exited with status $status after SIGTERM"
  ok "$1"
}

# ----------------------------------------------------------------------------
# PKI: FR-DGT (the node, alice the admin, bob, aude and colin users) and a second,
# unrelated authority PL-PIP whose users FR-DGT must refuse.
PKI="$T/pki"
{
  bash "$PKI_SH" authority --out "$PKI" --id "$ID" --name "Direction générale du travail"
  bash "$PKI_SH" user --out "$PKI" --id "$ID" --name alice
  bash "$PKI_SH" user --out "$PKI" --id "$ID" --name bob
  bash "$PKI_SH" user --out "$PKI" --id "$ID" --name aude
  bash "$PKI_SH" user --out "$PKI" --id "$ID" --name colin
  bash "$PKI_SH" authority --out "$PKI" --id PL-PIP
  bash "$PKI_SH" user --out "$PKI" --id PL-PIP --name mallory
} >"$T/pki.log" 2>&1 || { cat "$T/pki.log"; fail "PKI is created" "pki.sh failed"; }
ok "PKI created with pki.sh (FR-DGT: node, alice, bob, aude, colin; PL-PIP: mallory)"

# The parent exists; the data directory itself is created by pwx-server.
mkdir -p "$T/data" "$T/restored"
DATA="$T/data/$ID"
LOG="$T/server.log"
start_server "$DATA" "$LOG"
ok "pwx-server started with flags only, listening on port $PORT (from --port-file)"

# ---- roles ---------------------------------------------------------------------
pwx_as bob case list
expect_failure_with_code "a user without a role is refused" PERMISSION_DENIED
ok "bob, holding no role yet, gets PERMISSION_DENIED for case list"
pwx_as bob user grant bob inspector
expect_failure_with_code "a user cannot grant themselves a role" PERMISSION_DENIED
ok "bob cannot grant himself a role"
pwx_as alice user grant alice auditor
expect_failure_with_code "not even the bootstrap admin grants themselves a role" PERMISSION_DENIED
grep -q "may not grant a role to themselves" <<<"$ERR" ||
  fail "the refusal says why" "$ERR"
pwx_as alice user revoke alice admin
expect_failure_with_code "the bootstrap admin's admin role stays" FAILED_PRECONDITION
pwx_as alice user grant colin coordinator
expect_rc "the bootstrap admin grants colin the coordinator role" 0
pwx_as colin user grant aude auditor
expect_failure_with_code "a coordinator may not grant the auditor role" PERMISSION_DENIED
grep -q "only an admin grants coordinator, auditor or admin" <<<"$ERR" ||
  fail "the refusal says who may" "$ERR"
pwx_as colin user grant bob inspector
expect_rc "a coordinator grants the inspector role" 0
pwx_as colin user revoke bob inspector
expect_rc "a coordinator revokes the inspector role" 0
pwx_as alice user grant bob inspector
expect_rc "the bootstrap admin grants bob the inspector role" 0
pwx_as bob case list
expect_rc "bob lists cases once he is an inspector" 0
pwx_as alice user revoke bob inspector
expect_rc "the bootstrap admin revokes a role" 0
pwx_as bob case list
expect_failure_with_code "a revoked role is refused at once, without a restart" PERMISSION_DENIED
pwx_as alice user grant bob inspector
expect_rc "the role is granted again" 0
ok "roles: grant, use, revoke (refused at once) and grant again; no self-grant; a coordinator grants inspector only"

# ---- question catalogue ------------------------------------------------------------
pwx_as bob user set-language pl-PL
expect_rc "bob sets his language" 0
pwx_as bob --output json catalogue list
expect_rc "bob lists the question catalogue" 0
[[ "$(json_string language)" == pl && "$FLAT" == *"EST-01"* && "$FLAT" == *"przedsiębiorstwo"* ]] ||
  fail "the catalogue comes in bob's language" "$FLAT"
pwx_as bob catalogue list --lang de
expect_rc "bob asks for German this once" 0
grep -qE "^EST-01 +establishment +Ist das Unternehmen" "$T/out" ||
  fail "--lang wins over the preference" "$(head -n 3 "$T/out")"
pwx_as bob catalogue list --lang nl
expect_err "an unsupported language is a usage error" 2 "--lang: 'nl' is not a language"
ok "question catalogue: set-language is used when --lang is absent; --lang wins; bad tags refused"

# ---- create --------------------------------------------------------------------
pwx_as alice --output json case create \
  --title "E2E: posted workers at a Lyon building site" \
  --undertaking-name "Demo Bau Sp. z o.o." \
  --undertaking-reg PL5260001246 \
  --undertaking-country PL \
  --recipient-name "Constructions Rhône SA" \
  --recipient-country FR \
  --sector F41.20 \
  --declaration-ref SIPSI-2026-000123 \
  --worker "name=Jan Kowalski;dob=1988-03-14;nationality=PL;a1=PL-A1-2026-0001;start=2026-01-05;end=2026-06-30;workplace=Lyon"
expect_rc "case create succeeds" 0
CASE_ID="$(json_string id)"
[[ "$CASE_ID" =~ ^$CASE_ID_RE$ ]] ||
  fail "case create returns an id" "no \"id\" matching $CASE_ID_RE in the JSON output"
[[ "$(json_uint version)" == "1" ]] ||
  fail "case create returns version 1" "\"version\" is '$(json_uint version)', expected 1"
ok "case create from flags returns id $CASE_ID and version 1"

# ---- list ------------------------------------------------------------------------
pwx_as alice --output json case list
expect_rc "case list succeeds" 0
grep -qx "$CASE_ID" <<<"$(case_ids)" || fail "case list shows the new case" "$CASE_ID not in the list"
ok "case list --output json shows $CASE_ID"

# The same through the PWX_* environment variables instead of flags.
CMD="PWX_SERVER=... pwx --output json case list"
RC=0
PWX_SERVER="localhost:$PORT" PWX_CA="$PKI/$ID/ca.pem" \
  PWX_CERT="$PKI/$ID/users/alice.pem" PWX_KEY="$PKI/$ID/users/alice.key" \
  timeout "$CLI_TIMEOUT_S" "$CLI_BIN" --output json case list >"$T/out" 2>"$T/err" </dev/null || RC=$?
FLAT="$(tr -d '\n\r' <"$T/out")"
expect_rc "case list with PWX_SERVER, PWX_CA, PWX_CERT, PWX_KEY" 0
grep -qx "$CASE_ID" <<<"$(case_ids)" ||
  fail "case list with PWX_* variables shows the case" "$CASE_ID not in the list"
ok "PWX_SERVER, PWX_CA, PWX_CERT and PWX_KEY replace the flags"

# ---- get -------------------------------------------------------------------------
pwx_as alice --output json case get "$CASE_ID"
expect_rc "case get succeeds" 0
[[ "$(json_string id)" == "$CASE_ID" ]] || fail "case get returns the case" "wrong or no id in the output"
grep -qF "Demo Bau Sp. z o.o." <<<"$FLAT" || fail "case get returns the case" "undertaking name missing"
grep -qF "Jan Kowalski" <<<"$FLAT" || fail "case get returns the case" "worker missing"
ok "case get returns the case with its undertaking and worker"

pwx_as alice case get "$ID-2000-999999"
expect_failure_with_code "case get of an unknown id is NOT_FOUND" NOT_FOUND
ok "case get of an unknown id fails with NOT_FOUND"

# ---- update: optimistic concurrency ------------------------------------------
pwx_as alice --output json case update "$CASE_ID" --version 1 \
  --title "E2E: posted workers at a Lyon building site (checked)"
expect_rc "case update with the current version succeeds" 0
[[ "$(json_uint version)" == "2" ]] ||
  fail "case update increments the version" "\"version\" is '$(json_uint version)', expected 2"
grep -qF "(checked)" <<<"$FLAT" || fail "case update changes the title" "new title missing"
ok "case update --version 1 changes the title, version 2"

pwx_as alice case update "$CASE_ID" --version 1 --title "lost update"
expect_failure_with_code "case update with a stale version is refused" ABORTED
pwx_as alice --output json case get "$CASE_ID"
if [[ "$(json_uint version)" != "2" ]] || grep -qF "lost update" <<<"$FLAT"; then
  fail "a refused update changes nothing" "the case changed"
fi
ok "case update with a stale version exits 1 with ABORTED and changes nothing"

# ---- note ------------------------------------------------------------------------
NOTE_TEXT="Site visit on 2026-02-03: 12 workers present"
pwx_as alice --output json case note "$CASE_ID" "$NOTE_TEXT"
expect_rc "case note succeeds" 0
pwx_as alice --output json case get "$CASE_ID"
grep -qF "$NOTE_TEXT" <<<"$FLAT" || fail "case note adds a note" "note text not in case get"
[[ "$(json_uint version)" == "3" ]] ||
  fail "case note increments the version" "\"version\" is '$(json_uint version)', expected 3"
ok "case note adds a note (version 3)"

# ---- attach / download ----------------------------------------------------------
# Larger than one 64 KiB upload chunk, and binary.
head -c 150000 /dev/urandom >"$T/a1-scan.pdf"
SHA="$(sha256sum "$T/a1-scan.pdf" | cut -d' ' -f1)"
pwx_as alice --output json case attach "$CASE_ID" "$T/a1-scan.pdf" --media-type application/pdf
expect_rc "case attach succeeds" 0
grep -qF "$SHA" <<<"$FLAT" || fail "case attach returns the attachment" "sha256 $SHA not in the output"
ok "case attach uploads a 150000-byte file (sha256 $SHA)"

pwx_as alice case download "$CASE_ID" "$SHA" --output-file "$T/downloaded"
expect_rc "case download succeeds" 0
cmp -s "$T/a1-scan.pdf" "$T/downloaded" ||
  fail "case download returns the same bytes" "downloaded file differs from the upload"
ok "case download returns the attachment byte for byte"

# ---- mutual TLS ---------------------------------------------------------------------
count_cases
BEFORE="$COUNT"
pwx_with "$PKI/PL-PIP/users/mallory.pem" "$PKI/PL-PIP/users/mallory.key" --output json case create \
  --title "must not exist" --undertaking-name "X" --undertaking-reg X1 \
  --undertaking-country PL --recipient-name "Y" --recipient-country FR --sector F41.20
[[ $RC -ne 0 ]] || fail "a certificate from an unknown CA is refused" "pwx exited 0"
REFUSED_RC=$RC
count_cases
AFTER="$COUNT"
[[ "$AFTER" == "$BEFORE" ]] ||
  fail "a certificate from an unknown CA creates nothing" "case count went from $BEFORE to $AFTER"
ok "a user certificate from another authority's CA is refused (exit $REFUSED_RC), nothing created"

# Without a client certificate the TLS handshake itself must fail. With TLS 1.3
# the server's refusal arrives as an alert after the client's Finished, so
# s_client keeps stdin open for a second to read it.
s_client() {
  CMD="openssl s_client -connect 127.0.0.1:$PORT $*"
  RC=0
  sleep 1 | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost \
    -alpn h2 -CAfile "$PKI/$ID/ca.pem" -verify_return_error "$@" >"$T/out" 2>"$T/err" || RC=$?
  ERR="$(cat "$T/err")"
}
s_client -cert "$PKI/$ID/users/alice.pem" -key "$PKI/$ID/users/alice.key"
if [[ $RC -ne 0 ]] || grep -qi "alert" "$T/out" "$T/err"; then
  fail "control: openssl s_client with alice's certificate connects" "handshake failed"
fi
s_client
[[ $RC -ne 0 ]] || grep -qiE "alert|handshake failure" <<<"$ERR" ||
  fail "a TLS client without a certificate is refused" "the handshake succeeded"
ok "a TLS client without a certificate is refused in the handshake (alice's succeeds)"

# ---- validation ------------------------------------------------------------------
count_cases
BEFORE="$COUNT"
pwx_as alice --output json case create \
  --title "bad country" --undertaking-name "Nowhere Ltd" --undertaking-reg NW1 \
  --undertaking-country XX --recipient-name "Constructions Rhône SA" --recipient-country FR \
  --sector F41.20
expect_failure_with_code "an unknown country is INVALID_ARGUMENT" INVALID_ARGUMENT
grep -qiE "country_of_establishment|countryOfEstablishment|undertaking-country|undertaking\.country" <<<"$ERR" ||
  fail "INVALID_ARGUMENT names the field" "stderr does not name the country field"
count_cases
AFTER="$COUNT"
[[ "$AFTER" == "$BEFORE" ]] || fail "an invalid case is not created" "case count went from $BEFORE to $AFTER"
ok "--undertaking-country XX exits 1 with INVALID_ARGUMENT naming the field, nothing created"

# ---- backup: admins only ------------------------------------------------------
pwx_as bob backup create "$T/backup-bob"
expect_failure_with_code "backup create by a non-admin is refused" PERMISSION_DENIED
ok "backup create by bob (not an admin) exits 1 with PERMISSION_DENIED"

pwx_as alice --output json case get "$CASE_ID"
VERSION_AT_BACKUP="$(json_uint version)"
pwx_as alice backup create "$T/backup"
expect_rc "backup create by alice (admin) succeeds" 0
[[ -d "$T/backup" && -n "$(ls -A "$T/backup")" ]] ||
  fail "backup create writes a backup" "$T/backup is missing or empty"
ok "backup create by alice (admin) writes a backup to $T/backup"

# ---- crash: kill -9, restart on the same data -----------------------------------
pwx_as alice --output json case get "$CASE_ID"
VERSION_BEFORE="$(json_uint version)"
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
forget_server "$SERVER_PID"
echo "---- restarted after kill -9 ----" >>"$LOG"
start_server "$DATA" "$LOG"
pwx_as alice --output json case get "$CASE_ID"
expect_rc "case get after kill -9 and restart" 0
[[ "$(json_string id)" == "$CASE_ID" && "$(json_uint version)" == "$VERSION_BEFORE" ]] ||
  fail "the case survives kill -9" "version '$(json_uint version)', expected '$VERSION_BEFORE'"
grep -qF "$NOTE_TEXT" <<<"$FLAT" || fail "the note survives kill -9" "note missing"
pwx_as alice case download "$CASE_ID" "$SHA" --output-file "$T/downloaded-2"
expect_rc "case download after restart" 0
cmp -s "$T/a1-scan.pdf" "$T/downloaded-2" || fail "the attachment survives kill -9" "content differs"
ok "after kill -9 and a restart on the same data dir $CASE_ID is there at version $VERSION_BEFORE, note and attachment intact"

# ---- audit: signed heads, export, offline verification, access log ------------
pwx_as alice user grant aude auditor
expect_rc "the bootstrap admin grants aude the auditor role" 0
pwx_as alice audit head
expect_failure_with_code "an inspector may not read the audit log" PERMISSION_DENIED
for ((i = 0; i < 60; i++)); do
  pwx_as aude --output json audit head
  [[ $RC -eq 0 && "$(json_uint treeSize)" -gt 0 ]] 2>/dev/null && break
  sleep 0.5
done
[[ $RC -eq 0 && "$(json_uint treeSize)" -gt 0 ]] 2>/dev/null ||
  fail "the node signs a tree head" "no signed head after 30 s: $ERR"
ok "the node signed a tree head of $(json_uint treeSize) entries; aude (auditor) reads it, alice (inspector) may not"
pwx_as aude access-log --case "$CASE_ID"
expect_rc "access-log of the case" 0
grep -q "case.create" <<<"$FLAT" && grep -q "case.read" <<<"$FLAT" && grep -q alice <<<"$FLAT" ||
  fail "the access log shows who created and read the case" "$FLAT"
ok "access-log --case $CASE_ID shows alice's create and reads"
pwx_as aude audit proof inclusion --index 0
expect_rc "an inclusion proof from the node verifies locally" 0
pwx_as aude audit export "$T/audit.pwxlog"
expect_rc "audit export" 0
run "$CLI_BIN" audit verify "$T/audit.pwxlog"
expect_rc "audit verify of the export, with no server" 0
grep -q "^OK" <<<"$FLAT" || fail "audit verify says OK" "$FLAT"
ok "audit export, then offline verify: $FLAT"
# The node signs with its API certificate's key (no audit.signing_* set):
# trusting that certificate, or its fingerprint as openssl prints it, passes;
# another authority's certificate fails, and the real signer is shown.
SIGNER="$(openssl x509 -in "$PKI/$ID/node.pem" -noout -fingerprint -sha256 | sed 's/^.*=//')"
run "$CLI_BIN" audit verify "$T/audit.pwxlog" --signer "$SIGNER"
expect_rc "audit verify --signer with the node's fingerprint" 0
grep -q " yes$" <<<"$(cat "$T/out")" || fail "verify says the signer is trusted" "$FLAT"
run "$CLI_BIN" audit verify "$T/audit.pwxlog" --trust "$PKI/$ID/node.pem"
expect_rc "audit verify --trust with the node's certificate" 0
run "$CLI_BIN" audit verify "$T/audit.pwxlog" --trust "$PKI/PL-PIP/node.pem"
expect_failure_with_code "audit verify --trust with another node's certificate fails" DATA_LOSS
grep -q "which is not a trusted signer" <<<"$ERR" || fail "the refusal says why" "$ERR"
SIGNER_HEX="$(tr -d ':' <<<"$SIGNER" | tr 'A-F' 'a-f')"
grep -q "$SIGNER_HEX" <<<"$FLAT" || fail "verify shows the real signer's fingerprint" "$FLAT"
ok "audit verify --signer/--trust: the node's key passes, PL-PIP's fails naming the real signer"
SIZE="$(wc -c <"$T/audit.pwxlog")"
cp "$T/audit.pwxlog" "$T/tampered.pwxlog"
# Flip one byte in the middle of the file, inside some entry.
OFFSET=$((SIZE / 2))
BYTE="$(od -An -tu1 -j "$OFFSET" -N1 "$T/tampered.pwxlog" | tr -d ' ')"
printf "$(printf '\\%03o' $(((BYTE + 1) % 256)))" |
  dd of="$T/tampered.pwxlog" bs=1 seek="$OFFSET" conv=notrunc status=none
run "$CLI_BIN" audit verify "$T/tampered.pwxlog"
expect_failure_with_code "one changed byte fails verification" DATA_LOSS
ok "one byte changed at offset $OFFSET: audit verify fails: $ERR"

# ---- a read is answered only once its access entry is durable -----------------
# count_reads: sets READS to the case.read entries of bob on the case.
count_reads() {
  pwx_as aude --output json audit entries --all --user bob --action case.read --object "$CASE_ID"
  [[ $RC -eq 0 ]] || fail "pwx audit entries works" "exit $RC"
  READS="$(grep -o '"action": *"case.read"' <<<"$FLAT" | grep -c . || true)"
}
count_reads
READS_BEFORE="$READS"
pwx_as bob --output json case get "$CASE_ID"
expect_rc "bob reads the case" 0
# SIGKILL the moment the CLI has its answer: no clean stop, no final sync.
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
forget_server "$SERVER_PID"
echo "---- restarted after kill -9 right after a read ----" >>"$LOG"
start_server "$DATA" "$LOG"
count_reads
[[ "$READS" -eq $((READS_BEFORE + 1)) ]] ||
  fail "a read that was answered is in the log after kill -9" \
    "bob's case.read entries: $READS_BEFORE before the read, $READS after the restart"
pwx_as aude access-log --case "$CASE_ID"
expect_rc "access-log after the restart" 0
grep -qE "bob +case\.read" <<<"$FLAT" || fail "access-log shows bob's read" "$FLAT"
ok "kill -9 right after bob's case get returned: his case.read entry survived the restart"

# ---- clean shutdown -------------------------------------------------------------
stop_server_expect_clean "SIGTERM stops pwx-server with exit status 0 within ${STOP_TIMEOUT_S}s"

# ---- restore the backup into a new data dir ------------------------------------
run "$SERVER_BIN" restore --backup-dir "$T/backup" --data-dir "$T/restored/$ID"
expect_rc "pwx-server restore succeeds" 0
start_server "$T/restored/$ID" "$T/server-restored.log"
pwx_as alice --output json case get "$CASE_ID"
expect_rc "case get on the restored node" 0
[[ "$(json_uint version)" == "$VERSION_AT_BACKUP" ]] ||
  fail "the restored node has the case as backed up" "version '$(json_uint version)', expected '$VERSION_AT_BACKUP'"
ok "pwx-server restore brings back $CASE_ID at version $VERSION_AT_BACKUP"
stop_server_expect_clean "SIGTERM stops the restored pwx-server with exit status 0"

e2e_done
