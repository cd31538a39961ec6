#!/usr/bin/env bash
# The web page in a real browser: two pwx-server processes, FR-DGT and
# PL-PIP, each serving its page (web.listen), federated as in
# request_e2e.sh; headless Chromium driven from Python (web_walk.py) with
# each user's certificate imported into a fresh NSS store. Registered with
# ctest as web_e2e (label web):
#
#   web_e2e.sh PWX_SERVER_BINARY PWX_CLI_BINARY PKI_SH ARTEFACTS_DIR CASE_LOADER
#
# Before the walk, CASE_LOADER (tests/web/case_loader.cc) stores
# PWX_WEB_CASES cases (default 100000) at FR-DGT, so that the walk times
# the dashboard and the case pages over a database of that size (printed
# and written to ARTEFACTS_DIR/timings.json, never asserted); skipped, and
# said so, in a sanitized build (PWX_BUILD_SANITIZED=ON, set by CMake), and
# with PWX_WEB_CASES=0.
#
# web_walk.py walks a case (with a note and a document), an information
# request (modified after sending, with the recipient's document) and a
# joint inspection plan (created with an indicator and a linked case, edited,
# a participant invited, proposed, agreed, actions added and amended,
# started, a finding with irregularity counts and a request recorded, an
# indicator measured) through both pages and checks the refusals, the
# accessibility and the error display; this script then
# checks through the CLI that both nodes hold the same history and that the
# refused calls changed nothing. Screenshots go to ARTEFACTS_DIR.
#
# Exits 77 (ctest SKIP) with the reason when chromium, chromedriver,
# python3-selenium or the NSS tools are missing. axe-core comes from npm
# into ARTEFACTS_DIR/../node_modules once (PWX_AXE_JS: a copy to use
# instead, for machines without the registry).
set -euo pipefail

E2E_NAME="web_e2e"
# shellcheck source=tests/e2e/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../e2e/lib.sh"
HERE="$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
[[ $# -eq 5 ]] || { echo "usage: web_e2e.sh PWX_SERVER_BINARY PWX_CLI_BINARY PKI_SH ARTEFACTS_DIR CASE_LOADER" >&2; exit 2; }
ARTEFACTS="$4"
CASE_LOADER="$5"
WEB_CASES="${PWX_WEB_CASES:-100000}"
[[ "$WEB_CASES" =~ ^[0-9]+$ ]] || { echo "$E2E_NAME: PWX_WEB_CASES must be a number of cases, not '$WEB_CASES'" >&2; exit 2; }
e2e_binaries "$1" "$2" "$3"

skip() { echo "SKIP: $E2E_NAME: $*"; exit 77; }
CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
CHROMEDRIVER="$(command -v chromedriver || true)"
[[ -n "$CHROMIUM" ]] || skip "no chromium (apt-get install chromium)"
[[ -n "$CHROMEDRIVER" ]] || skip "no chromedriver (apt-get install chromium-driver)"
command -v certutil >/dev/null && command -v pk12util >/dev/null ||
  skip "no certutil/pk12util (apt-get install libnss3-tools)"
PYTHON=""
for candidate in /usr/bin/python3 python3; do
  if "$candidate" -c 'import selenium' 2>/dev/null; then PYTHON="$candidate"; break; fi
done
[[ -n "$PYTHON" ]] || skip "no python3 with selenium (apt-get install python3-selenium)"
command -v jq >/dev/null || { echo "$E2E_NAME: needs jq (deploy/install-deps.sh)" >&2; exit 2; }

readonly START_TIMEOUT_S=60  # generous: sanitizer builds start slowly
readonly DELIVERY_TIMEOUT_S=120
readonly CLI_TIMEOUT_S=30
declare -A AUTHORITY=([FR]="FR-DGT" [PL]="PL-PIP")
declare -A USER_OF=([FR]="alice" [PL]="piotr")
readonly NODES=(FR PL)
FEDERATION_CONFIG="retry_initial_ms: 50 retry_max_ms: 500 call_timeout_ms: 2000"
e2e_tmpdir
readonly PKI="$T/pki"
# shellcheck source=tests/e2e/nodes.sh
source "$HERE/../e2e/nodes.sh"

mkdir -p "$ARTEFACTS"
rm -f "$ARTEFACTS"/*.png "$ARTEFACTS"/*.json 2>/dev/null || true

# axe-core, once per build tree.
AXE_JS="${PWX_AXE_JS:-}"
if [[ -z "$AXE_JS" ]]; then
  AXE_DIR="$(cd "$ARTEFACTS/.." && pwd)/axe"
  AXE_JS="$AXE_DIR/node_modules/axe-core/axe.min.js"
  if [[ ! -s "$AXE_JS" ]]; then
    command -v npm >/dev/null || { echo "$E2E_NAME: needs npm to install axe-core (deploy/install-deps.sh)" >&2; exit 2; }
    npm install --silent --no-audit --no-fund --prefix "$AXE_DIR" axe-core >"$T/npm.log" 2>&1 ||
      { cat "$T/npm.log"; fail "axe-core is installed from npm" "npm install failed"; }
  fi
fi
[[ -s "$AXE_JS" ]] || fail "axe-core is there" "no $AXE_JS"
ok "axe-core at $AXE_JS"

# A free TCP port on 127.0.0.1 (for the web listeners, which must be known
# before the node starts: the browser profile names them).
free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# p12 FILE PEM KEY: the user's PKCS#12 file (pki.sh writes one beside the
# certificate; made here from the PEM pair when this pki.sh does not).
p12_of() {
  local id="$1" name="$2" p12="$PKI/$1/users/$2.p12"
  if [[ ! -s "$p12" ]]; then
    openssl pkcs12 -export -in "$PKI/$id/users/$name.pem" -inkey "$PKI/$id/users/$name.key" \
      -name "$name" -passout pass: -out "$T/$id-$name.p12"
    p12="$T/$id-$name.p12"
  fi
  echo "$p12"
}

# nss_home HOME ID P12: a home directory whose NSS store (what Chromium
# reads on Linux) trusts ID's CA for TLS servers and holds the user's
# certificate and key.
nss_home() {
  local home="$1" id="$2" p12="$3" db="$1/.pki/nssdb"
  mkdir -p "$db"
  certutil -N -d "sql:$db" --empty-password
  certutil -A -d "sql:$db" -n "$id CA" -t "C,," -i "$PKI/$id/ca.pem"
  pk12util -i "$p12" -d "sql:$db" -W '' >/dev/null
}

{
  for node in "${NODES[@]}"; do
    bash "$PKI_SH" authority --out "$PKI" --id "${AUTHORITY[$node]}"
    bash "$PKI_SH" user --out "$PKI" --id "${AUTHORITY[$node]}" --name "${USER_OF[$node]}"
  done
  bash "$PKI_SH" user --out "$PKI" --id FR-DGT --name audrey
} >"$T/pki.log" 2>&1 || { cat "$T/pki.log"; fail "PKI is created" "pki.sh failed"; }

# Coordinators too: agreeing to a plan binds the authority.
USER_ROLES="inspector auditor coordinator"
declare -A WEB_PORT=()
for node in "${NODES[@]}"; do
  WEB_PORT[$node]="$(free_port)"
  NODE_CONFIG_OF[$node]="web { listen: \"127.0.0.1:${WEB_PORT[$node]}\" }"
  start "$node"
done
for node in "${NODES[@]}"; do
  pwx "$node" admin identity export "$T/${AUTHORITY[$node]}.card"
  must "${AUTHORITY[$node]} exports its identity card"
done
pwx FR peer add "$T/PL-PIP.card"
must "FR-DGT adds PL-PIP"
pwx PL peer add "$T/FR-DGT.card"
must "PL-PIP adds FR-DGT"
pwx FR user grant audrey auditor
must "FR-DGT makes audrey an auditor"
ok "FR-DGT and PL-PIP federated, each serving its page"

# Waits until each web listener answers (the node logs its port once up).
web_up() { curl -sk -o /dev/null "https://127.0.0.1:${WEB_PORT[$1]}/" 2>/dev/null || [[ $? -ne 7 ]]; }
for node in "${NODES[@]}"; do eventually "${AUTHORITY[$node]}'s web listener answers" web_up "$node"; done

for who in FR:alice PL:piotr FR:audrey; do
  node="${who%%:*}" name="${who#*:}" id="${AUTHORITY[${who%%:*}]}"
  nss_home "$T/home-$name" "$id" "$(p12_of "$id" "$name")" >>"$T/nss.log" 2>&1 ||
    { cat "$T/nss.log"; fail "the NSS store of $name is made" "certutil/pk12util failed"; }
done
ok "NSS stores with each user's certificate and the node's CA"

# The dashboard and the case pages are timed over many cases.
BULK_CASE=""
if [[ "${PWX_BUILD_SANITIZED:-OFF}" == ON && "$WEB_CASES" -gt 0 ]]; then
  echo "# sanitized build: the load of $WEB_CASES cases is skipped; the pages are timed over the walk's own cases"
  WEB_CASES=0
fi
if [[ "$WEB_CASES" -gt 0 ]]; then
  "$CASE_LOADER" --server "localhost:${API_PORT[FR]}" --ca "$PKI/FR-DGT/ca.pem" \
    --cert "$PKI/FR-DGT/users/alice.pem" --key "$PKI/FR-DGT/users/alice.key" \
    --cases "$WEB_CASES" >"$T/loader.log" 2>&1 ||
    { sed 's/^/#   /' "$T/loader.log"; fail "FR-DGT stores $WEB_CASES cases" "the case loader failed"; }
  ok "FR-DGT stores $WEB_CASES cases for the page timings: $(tail -n 1 "$T/loader.log")"
  pwx FR --output json case list --country RO --page-size 1
  must "FR-DGT lists a loaded case"
  BULK_CASE="$(q '.cases[0].id')"
fi

# The Polish cases FR-DGT holds before the walk (the loaded ones are of
# other states): a refused cross-site post must not add one.
pwx FR --output json case list --country PL --all
must "FR-DGT lists its cases"
cases_before="$(q '.cases | length')"

# A page of another origin that auto-submits a form to FR-DGT's API.
ATTACK_DIR="$T/attacker"
mkdir -p "$ATTACK_DIR"
cat >"$ATTACK_DIR/attack.html" <<HTML
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>attack</title></head>
<body>
<form id="f" method="POST" enctype="text/plain"
      action="https://localhost:${WEB_PORT[FR]}/api/v1/CaseService/CreateCase">
<input type="hidden" name='{"case":{"title":"forged","undertaking":{"name":"Forged","countryOfEstablishment":"PL"}},"x":"' value='"}'>
</form>
<script>document.getElementById('f').submit();</script>
</body></html>
HTML
ATTACK_PORT="$(free_port)"
"$PYTHON" -m http.server "$ATTACK_PORT" --bind 127.0.0.1 --directory "$ATTACK_DIR" >"$T/attacker.log" 2>&1 &
PID[attacker]=$!

cat >"$T/walk.json" <<JSON
{
  "chromium": "$CHROMIUM",
  "chromedriver": "$CHROMEDRIVER",
  "axe_js": "$AXE_JS",
  "artefacts": "$ARTEFACTS",
  "tmp": "$T",
  "attack_url": "http://127.0.0.1:$ATTACK_PORT/attack.html",
  "cases_stored": $WEB_CASES,
  "bulk_case_id": "$BULK_CASE",
  "users": {
    "alice": {"home": "$T/home-alice", "url": "https://localhost:${WEB_PORT[FR]}", "authority": "FR-DGT"},
    "piotr": {"home": "$T/home-piotr", "url": "https://localhost:${WEB_PORT[PL]}", "authority": "PL-PIP", "browser_language": "pl"},
    "audrey": {"home": "$T/home-audrey", "url": "https://localhost:${WEB_PORT[FR]}", "authority": "FR-DGT"}
  }
}
JSON

CMD="web_walk.py"
RC=0
"$PYTHON" "$HERE/web_walk.py" "$T/walk.json" | tee "$T/walk.log" || RC=${PIPESTATUS[0]}
[[ $RC -eq 0 ]] || fail "the browser walk passes" "web_walk.py exited $RC (screenshots in $ARTEFACTS)"
PASSED=$((PASSED + $(grep -c '^ok - ' "$T/walk.log" || true)))
RID="$(cat "$T/request_id")"

# Both nodes hold the same request: state, due date and history.
in_state() {
  pwx "$1" --output json request show "$2"
  [[ $RC -eq 0 && "$(q .state)" == "REQUEST_STATE_$3" ]]
}
eventually "PL-PIP holds $RID as CLOSED" in_state PL "$RID" CLOSED
pwx FR --output json request show "$RID"
must "FR-DGT shows $RID"
cp "$T/out" "$T/show.FR"
n="$(jq '.history | length' "$T/show.FR")"
same_length() { pwx PL --output json request show "$RID"; [[ $RC -eq 0 && "$(q '.history | length')" -eq "$n" ]]; }
eventually "PL-PIP has the $n history entries of $RID" same_length
cp "$T/out" "$T/show.PL"
for field in .state .dueDate .history; do
  diff <(jq -S "$field" "$T/show.FR") <(jq -S "$field" "$T/show.PL") >"$T/diff" ||
    { sed 's/^/#   /' "$T/diff"; fail "FR-DGT and PL-PIP agree on $field of $RID" "they differ"; }
done
[[ "$(jq -r '[.history[] | keys[] | select(IN("send","receive","accept","answer","close"))] | join(",")' "$T/show.FR")" == "send,receive,accept,answer,close" ]] ||
  fail "the history is send, receive, accept, answer, close" "$(jq -c '[.history[] | keys]' "$T/show.FR")"
ok "$RID: the same state, due date and history (send, receive, accept, answer, close) on both nodes"

pwx FR --output json case list --country PL --all
must "FR-DGT lists its cases"
[[ "$(q '.cases | length')" -eq $((cases_before + 1)) ]] ||
  fail "only the page's case was added (the forged post and the auditor's call added none)" \
    "$cases_before before, $(q '.cases | length') after"
[[ "$(q '[.cases[] | select(.title == "forged")] | length')" -eq 0 ]] ||
  fail "the cross-site post filed no case" "a 'forged' case exists"
ok "the cross-site post and the auditor's refused call changed nothing"

e2e_done
