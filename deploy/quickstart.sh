#!/usr/bin/env bash
# Two federated pwx nodes on this machine in one command: installs the build
# dependencies, builds pwx-server and pwx, makes a PKI per authority, starts
# FR-DGT (API 127.0.0.1:7443, peers 7444) and PL-PIP (API 127.0.0.1:7543,
# peers 7544), makes them peers of each other by exchanging identity cards,
# files a demo case on FR-DGT and shares it with PL-PIP, then runs an
# information request from FR-DGT to PL-PIP to closure and checks that both
# nodes hold the same history. With --three, a third node, RO-ITM (API
# 127.0.0.1:7643, peers 7644), joins them, and FR-DGT leads a joint
# inspection plan with PL-PIP and RO-ITM from proposal to its report. Each
# node also serves its web page (FR-DGT https://localhost:7445/, PL-PIP 7545,
# RO-ITM 7645) to the user's certificate from DIR/pki. Safe to
# run again: it reuses the PKIs, the data, the peers and nodes already running
# (each run sends a new request and makes a new plan). Run with --help.
set -euo pipefail

readonly PROG="quickstart.sh"
readonly START_TIMEOUT_S=30
readonly STOP_TIMEOUT_S=15
readonly SHARE_TIMEOUT_S=30
readonly REQUEST_TIMEOUT_S=30
readonly PLAN_TIMEOUT_S=30

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO
readonly BUILD_DIR="$REPO/build"
readonly SERVER_BIN="$BUILD_DIR/server/pwx-server"
readonly CLIENT_DIR="$BUILD_DIR/client"
readonly CLIENT_BIN="$CLIENT_DIR/pwx"

# The two nodes, by short name: authority id, display name, user, API listen
# address, the address the CLI dials ("localhost" is in the node
# certificate), federation listen address.
declare -A AUTHORITY=([FR]="FR-DGT" [PL]="PL-PIP" [RO]="RO-ITM")
declare -A AUTHORITY_NAME=([FR]="Direction générale du travail"
  [PL]="Państwowa Inspekcja Pracy" [RO]="Inspecția Muncii")
declare -A USER_OF=([FR]="alice" [PL]="piotr" [RO]="ioana")
declare -A LISTEN=([FR]="127.0.0.1:7443" [PL]="127.0.0.1:7543" [RO]="127.0.0.1:7643")
declare -A SERVER_ADDR=([FR]="localhost:7443" [PL]="localhost:7543" [RO]="localhost:7643")
declare -A FED_LISTEN=([FR]="127.0.0.1:7444" [PL]="127.0.0.1:7544" [RO]="127.0.0.1:7644")
# The web page (web.listen) and the address a browser opens.
declare -A WEB_LISTEN=([FR]="127.0.0.1:7445" [PL]="127.0.0.1:7545" [RO]="127.0.0.1:7645")
declare -A WEB_URL=([FR]="https://localhost:7445/" [PL]="https://localhost:7545/"
  [RO]="https://localhost:7645/")
# The roles the config gives each node's user: inspectors work cases,
# requests and plans; coordinators agree to plans for their authority.
readonly USER_ROLES=(inspector coordinator)

usage() {
  cat <<'EOF'
Usage: deploy/quickstart.sh [--dir DIR] [--three] [--env [FR|PL|RO] | --stop] [--help]

Without --env or --stop: installs the build dependencies (deploy/install-deps.sh),
builds pwx-server and pwx into <repo>/build, creates the PKIs of FR-DGT (user
alice) and PL-PIP (user piotr) under DIR/pki, writes DIR/fr-dgt.textproto and
DIR/pl-pip.textproto, starts both nodes in the background (logs DIR/*.log,
pids DIR/*.pid) unless they run already, makes them peers of each other
(identity cards in DIR/cards), files a demo case on FR-DGT once, shares it
with PL-PIP and shows it arriving there. Then FR-DGT sends PL-PIP an
information request about the case (catalogue questions EST-01 and A1-01),
PL-PIP accepts and answers it, FR-DGT closes it, and both nodes print it
with its history: the script fails unless the two histories are identical.

  FR-DGT  API 127.0.0.1:7443, federation 127.0.0.1:7444, web page 7445, user alice
  PL-PIP  API 127.0.0.1:7543, federation 127.0.0.1:7544, web page 7545, user piotr
  RO-ITM  API 127.0.0.1:7643, federation 127.0.0.1:7644, web page 7645, user ioana (--three)

The web page of each node is https://localhost:PORT/; the browser presents
the user's certificate DIR/pki/ID/users/USER.p12 (empty password) and trusts
DIR/pki/ID/ca.pem (README.md, "Using the web page").

Each user is inspector and coordinator of their node (bootstrap_roles).

  --dir DIR     where the PKIs, configs, data, logs and pids live
                (default: ./var/quickstart, relative to the current directory)
  --three       also start RO-ITM, make the three nodes peers of each other,
                and walk a joint inspection plan led by FR-DGT with PL-PIP
                and RO-ITM to its report: create, two actions, propose, agree
                on both participants' nodes, start, findings, each
                authority's part of the report; the script fails unless
                `pwx plan list --output json` shows the same plans in the
                same states on the three nodes
  --env [FR|PL|RO]
                print only the shell exports that point the pwx CLI at one
                node: FR-DGT as alice (the default), PL-PIP as piotr or
                RO-ITM as ioana:
                  eval "$(deploy/quickstart.sh --env PL)"
  --stop        stop the nodes (SIGTERM, then wait up to 15 s each)
  --help        this text
EOF
}

die() {
  echo "$PROG: error: $*" >&2
  exit 1
}

# shellcheck source=deploy/steps.sh
source "$REPO/deploy/steps.sh"

# One line per step, with the time since the start.
say() {
  step "$@"
}

dir="./var/quickstart"
mode="start"
env_node="FR"
three=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) [[ $# -ge 2 ]] || die "--dir needs a value"; dir="$2"; shift 2 ;;
    --dir=*) dir="${1#*=}"; shift ;;
    --env)
      mode="env"
      if [[ $# -ge 2 && ( "$2" == FR || "$2" == PL || "$2" == RO ) ]]; then
        env_node="$2"
        shift
      fi
      shift ;;
    --env=*)
      mode="env"
      env_node="${1#*=}"
      [[ "$env_node" == FR || "$env_node" == PL || "$env_node" == RO ]] ||
        die "--env takes FR, PL or RO, not '$env_node'"
      shift ;;
    --stop) mode="stop"; shift ;;
    --three) three=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ -n "$dir" ]] || die "--dir must not be empty"
DIR="$(realpath -m -- "$dir")"
readonly DIR
readonly PKI_DIR="$DIR/pki"
readonly CARD_DIR="$DIR/cards"
if ((three)); then
  readonly NODES=(FR PL RO)
else
  readonly NODES=(FR PL)
fi

# Per-node paths; $1 is FR or PL.
lower() { tr '[:upper:]' '[:lower:]' <<<"$1"; }
ca_pem() { echo "$PKI_DIR/${AUTHORITY[$1]}/ca.pem"; }
node_pem() { echo "$PKI_DIR/${AUTHORITY[$1]}/node.pem"; }
node_key() { echo "$PKI_DIR/${AUTHORITY[$1]}/node.key"; }
user_pem() { echo "$PKI_DIR/${AUTHORITY[$1]}/users/${USER_OF[$1]}.pem"; }
user_key() { echo "$PKI_DIR/${AUTHORITY[$1]}/users/${USER_OF[$1]}.key"; }
user_p12() { echo "$PKI_DIR/${AUTHORITY[$1]}/users/${USER_OF[$1]}.p12"; }
config_file() { echo "$DIR/$(lower "${AUTHORITY[$1]}").textproto"; }
data_dir() { echo "$DIR/data/${AUTHORITY[$1]}"; }
log_file() { echo "$DIR/$(lower "${AUTHORITY[$1]}").log"; }
pid_file() { echo "$DIR/$(lower "${AUTHORITY[$1]}").pid"; }

# Prints the pid of node $1 when it is alive and is a pwx-server; fails
# otherwise.
running_pid() {
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid belonging to something else.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'pwx-server' || return 1
  echo "$pid"
}

# pwx_cli NODE ARGS...: the CLI against NODE as its user.
pwx_cli() {
  local node="$1"
  shift
  "$CLIENT_BIN" --server "${SERVER_ADDR[$node]}" --ca "$(ca_pem "$node")" \
    --cert "$(user_pem "$node")" --key "$(user_key "$node")" "$@"
}

cmd_env() {
  local node="$env_node"
  if [[ ! -f "$(ca_pem "$node")" || ! -f "$(user_pem "$node")" ]]; then
    printf '%s: note: no PKI in %s yet; run %q --dir %q first\n' \
      "$PROG" "$PKI_DIR" "$REPO/deploy/quickstart.sh" "$DIR" >&2
  fi
  printf 'export PWX_SERVER=%q\n' "${SERVER_ADDR[$node]}"
  printf 'export PWX_CA=%q\n' "$(ca_pem "$node")"
  printf 'export PWX_CERT=%q\n' "$(user_pem "$node")"
  printf 'export PWX_KEY=%q\n' "$(user_key "$node")"
  # shellcheck disable=SC2016  # $PATH is expanded by the eval, not here.
  printf 'export PATH=%q"${PATH:+:$PATH}"\n' "$CLIENT_DIR"
}

stop_node() {
  local node="$1" pid file
  file="$(pid_file "$node")"
  if ! pid="$(running_pid "$node")"; then
    if [[ -f "$file" ]]; then
      rm -f "$file"
      echo "$PROG: ${AUTHORITY[$node]} was not running (removed the stale pid file $file)"
    else
      echo "$PROG: ${AUTHORITY[$node]} was not running (no pid file $file)"
    fi
    return 0
  fi
  say "stopping ${AUTHORITY[$node]} (pid $pid)"
  kill -TERM "$pid"
  local i
  for ((i = 0; i < STOP_TIMEOUT_S * 10; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$file"
      echo "$PROG: stopped ${AUTHORITY[$node]}"
      return 0
    fi
    sleep 0.1
  done
  die "${AUTHORITY[$node]} (pid $pid) still running ${STOP_TIMEOUT_S}s after SIGTERM; see $(log_file "$node"), or kill -9 $pid"
}

cmd_stop() {
  local node
  for node in "${NODES[@]}"; do stop_node "$node"; done
  # RO-ITM runs only after --three; stop it whenever it does.
  if ((!three)) && [[ -f "$(pid_file RO)" ]]; then stop_node RO; fi
}

# Quotes a string for protobuf text format.
textproto_quote() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '"%s"' "$s"
}

write_config() {
  local node="$1" config
  config="$(config_file "$node")"
  if [[ -f "$config" ]]; then
    say "config $config exists, kept (delete it to regenerate)"
    return 0
  fi
  local tmp="$config.tmp.$$"
  cat >"$tmp" <<EOF
# pwx-server configuration written by deploy/quickstart.sh
# (message pwx.v1.ServerConfig; see deploy/pwx-server.example.textproto).
authority_id: $(textproto_quote "${AUTHORITY[$node]}")
authority_name: $(textproto_quote "${AUTHORITY_NAME[$node]}")
data_dir: $(textproto_quote "$(data_dir "$node")")
api {
  listen: $(textproto_quote "${LISTEN[$node]}")
  cert_file: $(textproto_quote "$(node_pem "$node")")
  key_file: $(textproto_quote "$(node_key "$node")")
  client_ca_file: $(textproto_quote "$(ca_pem "$node")")
}
federation {
  listen: $(textproto_quote "${FED_LISTEN[$node]}")
}
$(web_block "$node")
admin_users: $(textproto_quote "${USER_OF[$node]}")
log {
  format: "text"
}
# Cases, requests and plans need the inspector role, agreeing to a plan the
# coordinator role, and nobody grants a role to themselves: the config gives
# the bootstrap admin theirs.
EOF
  local role
  for role in "${USER_ROLES[@]}"; do bootstrap_role "$node" "$role" >>"$tmp"; done
  mv -f "$tmp" "$config"
  say "wrote $config"
}

bootstrap_role() {
  printf 'bootstrap_roles {\n  user: %s\n  role: "%s"\n}\n' \
    "$(textproto_quote "${USER_OF[$1]}")" "$2"
}

# The web listener of `node`'s config (the API's certificate, key and CA).
web_block() {
  printf 'web {\n  listen: %s\n}\n' "$(textproto_quote "${WEB_LISTEN[$1]}")"
}

# Adds the web listener to a config written before it existed; prints
# "changed" when it did (the node must restart to serve it).
complete_web() {
  local node="$1" config
  config="$(config_file "$node")"
  grep -Eq "^web *\{" "$config" && return 0
  web_block "$node" >>"$config"
  say "added the web page (web.listen ${WEB_LISTEN[$node]}) to $config" >&2
  echo "changed"
}

# Where each node's web page is and the certificate a browser presents.
print_web_pages() {
  local node
  echo "The web pages (README.md, \"Using the web page\"; import the .p12 with an"
  echo "empty password and trust the CA for websites; the steps for Chromium and Firefox"
  echo "are in the PKI's log, e.g. $PKI_DIR/${AUTHORITY[FR]}-user.log):"
  for node in "${NODES[@]}"; do
    echo "  ${AUTHORITY[$node]}  ${WEB_URL[$node]}  as ${USER_OF[$node]}: $(user_p12 "$node")"
    echo "          CA $(ca_pem "$node")"
  done
}

# A config written by an older quickstart may lack a role of USER_ROLES:
# appends it. Prints "changed" when it did (the node must restart to hold it).
complete_roles() {
  local node="$1" config role changed=""
  config="$(config_file "$node")"
  for role in "${USER_ROLES[@]}"; do
    grep -Eq "^ *role: *\"$role\"" "$config" && continue
    bootstrap_role "$node" "$role" >>"$config"
    say "gave ${USER_OF[$node]} the $role role in $config" >&2
    changed="changed"
  done
  echo "$changed"
}

build() {
  steps_init "$BUILD_DIR/setup-logs"
  say "installing build dependencies (deploy/install-deps.sh; log: $STEPS_LOG_DIR/dependencies.log)"
  quietly dependencies "$REPO/deploy/install-deps.sh" || exit 1

  say "configuring $BUILD_DIR"
  local args=(-S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  # The generator of an existing build tree cannot change; pass it only the
  # first time.
  [[ -f "$BUILD_DIR/CMakeCache.txt" ]] || args+=(-G Ninja)
  quietly configure cmake "${args[@]}" || exit 1

  say "building pwx-server and pwx (the first time takes a while; log: $STEPS_LOG_DIR/build.log)"
  quietly build cmake --build "$BUILD_DIR" --target pwx-server pwx -j2 || exit 1
  [[ -x "$SERVER_BIN" ]] || die "build finished but $SERVER_BIN is missing"
  [[ -x "$CLIENT_BIN" ]] || die "build finished but $CLIENT_BIN is missing"
}

make_pki() {
  local node="$1"
  steps_init "$PKI_DIR"
  say "PKI of ${AUTHORITY[$node]} in $PKI_DIR/${AUTHORITY[$node]} (log: $PKI_DIR/${AUTHORITY[$node]}.log)"
  quietly "${AUTHORITY[$node]}" "$REPO/deploy/pki.sh" authority --out "$PKI_DIR" \
    --id "${AUTHORITY[$node]}" --name "${AUTHORITY_NAME[$node]}" || exit 1
  quietly "${AUTHORITY[$node]}-user" "$REPO/deploy/pki.sh" user --out "$PKI_DIR" \
    --id "${AUTHORITY[$node]}" --name "${USER_OF[$node]}" || exit 1
}

start_server() {
  local node="$1" pid log
  if pid="$(running_pid "$node")"; then
    say "${AUTHORITY[$node]} already running (pid $pid), reused"
    return 0
  fi
  log="$(log_file "$node")"
  rm -f "$(pid_file "$node")"
  mkdir -p "$(data_dir "$node")"
  say "starting ${AUTHORITY[$node]} on ${LISTEN[$node]}, peers on ${FED_LISTEN[$node]}, web page on ${WEB_LISTEN[$node]} (log $log)"
  {
    echo
    echo "---- $(date -u +%Y-%m-%dT%H:%M:%SZ) started by deploy/quickstart.sh ----"
  } >>"$log"
  # setsid: own session, so the node survives this shell and Ctrl-C in it.
  # In a script the background child is not a process-group leader, so setsid
  # does not fork and $! is the server's pid.
  setsid nohup "$SERVER_BIN" --config "$(config_file "$node")" >>"$log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$(pid_file "$node")"
}

wait_ready() {
  local node="$1" deadline=$((SECONDS + START_TIMEOUT_S)) pid log
  log="$(log_file "$node")"
  while :; do
    # The user is the bootstrap admin (admin_users), so they may list users
    # as soon as the node answers.
    if pwx_cli "$node" user list >/dev/null 2>&1; then
      return 0
    fi
    if ! pid="$(running_pid "$node")"; then
      echo "$PROG: ${AUTHORITY[$node]} is not running; last lines of $log:" >&2
      tail -n 30 "$log" >&2 || true
      rm -f "$(pid_file "$node")"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "$PROG: ${AUTHORITY[$node]} (pid $pid) did not answer within ${START_TIMEOUT_S}s;" \
        "last lines of $log:" >&2
      tail -n 30 "$log" >&2 || true
      echo "$PROG: the last attempt said:" >&2
      pwx_cli "$node" user list >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

# Makes node $1 a peer of node $2 from $2's identity card, unless it is.
add_peer() {
  local node="$1" other="$2" card
  card="$CARD_DIR/${AUTHORITY[$other]}.card"
  if pwx_cli "$node" --output json peer list |
    grep -Eq "\"authorityId\": *\"${AUTHORITY[$other]}\""; then
    say "${AUTHORITY[$other]} is a peer of ${AUTHORITY[$node]} already, kept"
    return 0
  fi
  say "${AUTHORITY[$node]} adds ${AUTHORITY[$other]} from its identity card $card"
  pwx_cli "$node" peer add "$card" >/dev/null
}

federate() {
  mkdir -p "$CARD_DIR"
  local node other
  for node in "${NODES[@]}"; do
    pwx_cli "$node" admin identity export --force \
      "$CARD_DIR/${AUTHORITY[$node]}.card" >/dev/null
  done
  for node in "${NODES[@]}"; do
    for other in "${NODES[@]}"; do
      [[ "$node" == "$other" ]] || add_peer "$node" "$other"
    done
  done
}

# Prints the id of the demo case on FR-DGT, creating it once.
demo_case() {
  local found id
  found="$(pwx_cli FR --output json case list --text "Demo Bau")" ||
    die "'pwx --output json case list --text \"Demo Bau\"' failed on FR-DGT"
  id="$(grep -Eo '"FR-DGT-[0-9]{4}-[0-9]+"' <<<"$found" | head -n 1 | tr -d '"')" || true
  if [[ -n "$id" ]]; then
    say "demo case $id exists, kept" >&2
    echo "$id"
    return 0
  fi
  say "creating a demo case on FR-DGT" >&2
  found="$(pwx_cli FR --output json case create \
    --title "Demo: posted workers at a Lyon building site" \
    --undertaking-name "Demo Bau Sp. z o.o." \
    --undertaking-reg PL5260001246 \
    --undertaking-country PL \
    --recipient-name "Constructions Rhône SA" \
    --recipient-country FR \
    --sector F41.20 \
    --declaration-ref SIPSI-2026-000123 \
    --worker "name=Jan Kowalski;dob=1988-03-14;nationality=PL;a1=PL-A1-2026-0001;start=2026-01-05;end=2026-06-30;workplace=Lyon")"
  id="$(grep -Eo '"FR-DGT-[0-9]{4}-[0-9]+"' <<<"$found" | head -n 1 | tr -d '"')" || true
  [[ -n "$id" ]] || die "could not read the new case's id"
  echo "$id"
}

share_demo() {
  local id="$1" deadline=$((SECONDS + SHARE_TIMEOUT_S))
  say "FR-DGT: pwx case share $id --with PL-PIP"
  pwx_cli FR case share "$id" --with PL-PIP
  say "waiting for $id to arrive on PL-PIP"
  until pwx_cli PL case get "$id" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "$PROG: $id did not reach PL-PIP within ${SHARE_TIMEOUT_S}s; FR-DGT's peers:" >&2
      pwx_cli FR peer list >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  say "PL-PIP: pwx case get $id   (a read-only copy; FR-DGT owns the case)"
  pwx_cli PL case get "$id"
  say "FR-DGT: pwx peer list"
  pwx_cli FR peer list
}

# wait_for NODE TIMEOUT_S WANT JQ ARGS...: waits until `pwx --output json
# ARGS...` on NODE prints JSON whose JQ path is WANT.
wait_for() {
  local node="$1" timeout_s="$2" want="$3" path="$4" deadline=$((SECONDS + $2)) got
  shift 4
  while :; do
    got="$(pwx_cli "$node" --output json "$@" 2>/dev/null | jq -r "$path")" || true
    [[ "$got" == "$want" ]] && return 0
    if ((SECONDS >= deadline)); then
      echo "$PROG: 'pwx $*' on ${AUTHORITY[$node]} shows $path ${got:-(nothing)}, not $want, after ${timeout_s}s; FR-DGT's peers:" >&2
      pwx_cli FR peer list >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

# wait_state NODE ID STATE: waits until NODE holds request ID in
# REQUEST_STATE_<STATE>.
wait_state() {
  wait_for "$1" "$REQUEST_TIMEOUT_S" "REQUEST_STATE_$3" .state request show "$2"
}

# An information request about case $1 from FR-DGT to PL-PIP, run to
# closure and shown on both nodes; sets REQUEST_ID.
demo_request() {
  local case_id="$1" id
  say "FR-DGT: pwx request create --to PL-PIP --kind information --case $case_id --question EST-01 --question A1-01"
  id="$(pwx_cli FR --output json request create --to PL-PIP --kind information \
    --case "$case_id" --lang en \
    --subject "Demo Bau Sp. z o.o. (PL5260001246), worker Jan Kowalski" \
    --question EST-01 --question A1-01 \
    --text "Does Demo Bau pay the workers' travel to Lyon?" | jq -r .id)"
  [[ "$id" == FR-DGT-R-* ]] || die "could not read the new request's id"
  say "FR-DGT: pwx request send $id"
  pwx_cli FR request send "$id" >/dev/null
  wait_state PL "$id" AWAITING_ACCEPTANCE
  say "PL-PIP: pwx request accept $id"
  pwx_cli PL request accept "$id" >/dev/null
  say "PL-PIP: pwx request answer $id --text ..."
  pwx_cli PL request answer "$id" \
    --text "Registered in Warsaw since 2011, real activity in Poland; A1 PL-A1-2026-0001 is valid; the employer pays travel." \
    >/dev/null
  wait_state FR "$id" ANSWERED
  say "FR-DGT: pwx request close $id --rating timeliness=positive,effort=positive"
  pwx_cli FR request close "$id" --rating timeliness=positive,effort=positive >/dev/null
  wait_state PL "$id" CLOSED
  local node
  for node in FR PL; do
    say "${AUTHORITY[$node]}: pwx request show $id"
    pwx_cli "$node" request show "$id"
  done
  local fr pl
  fr="$(pwx_cli FR --output json request show "$id" | jq -S .history)"
  pl="$(pwx_cli PL --output json request show "$id" | jq -S .history)"
  if [[ "$fr" != "$pl" || "$fr" == null ]]; then
    diff <(echo "$fr") <(echo "$pl") >&2 || true
    die "FR-DGT and PL-PIP hold different histories of $id (above)"
  fi
  say "FR-DGT and PL-PIP hold the same history of $id ($(jq length <<<"$fr") events), closed on both"
  REQUEST_ID="$id"
}

# wait_plan NODE ID STATE: waits until NODE holds plan ID in
# PLAN_STATE_<STATE>.
wait_plan() {
  wait_for "$1" "$PLAN_TIMEOUT_S" "PLAN_STATE_$3" .plan.state plan show "$2"
}

# plan_on NODE ARGS...: a plan command on NODE, shown as one would type it.
plan_on() {
  local node="$1" shown="" arg
  shift
  for arg in "$@"; do
    [[ "$arg" =~ [[:space:]\;\'] ]] && arg="\"$arg\""
    shown+=" $arg"
  done
  say "${AUTHORITY[$node]}: pwx plan${shown}"
  pwx_cli "$node" plan "$@" >/dev/null
}

# The plans NODE holds as sorted "id state" lines.
plan_states() {
  pwx_cli "$1" --output json plan list --all |
    jq -r '.plans // [] | .[] | "\(.id) \(.state)"' | sort
}

# A joint inspection led by FR-DGT with PL-PIP and RO-ITM about case $1,
# from proposal to its report; sets PLAN_ID.
demo_plan() {
  local case_id="$1" id today
  today="$(date -u +%F)"
  say "FR-DGT: pwx plan create --kind joint --participant PL-PIP --participant RO-ITM ..."
  id="$(pwx_cli FR --output json plan create --kind joint \
    --title "Demo: joint inspection of Lyon building sites" \
    --participant PL-PIP --participant RO-ITM \
    --objective "Check the pay and social security of workers posted to Lyon building sites" \
    --sector F41.20 \
    --target "name=Demo Bau Sp. z o.o.;reg=PL5260001246;country=PL" \
    --case "$case_id" \
    --scope "Building sites in the Lyon metropolitan area" \
    --purpose "Verify that posted workers receive the host state's pay" \
    --legal-basis "Regulation (EU) 2019/1149, Art. 8-9" \
    --indicator "id=workers;source=workers-checked;target=20;unit=workers;description=Workers checked" |
    jq -r .plan.id)"
  [[ "$id" == FR-DGT-P-* ]] || die "could not read the new plan's id"
  plan_on FR action add "$id" --kind inspection --date "$today" --place "Lyon, Part-Dieu site" \
    --responsible FR-DGT --inspector "Alice Martin" --description "Site inspection with PL-PIP and RO-ITM"
  plan_on FR action add "$id" --kind information-exchange --date "$today" --place "Warsaw" \
    --responsible PL-PIP --description "Documents of Demo Bau from the sending state"
  plan_on FR propose "$id"
  wait_plan PL "$id" PROPOSED
  plan_on PL agree "$id"
  wait_plan RO "$id" PROPOSED
  plan_on RO agree "$id"
  wait_plan FR "$id" AGREED
  plan_on FR start "$id"
  wait_plan PL "$id" IN_PROGRESS
  plan_on FR finding add "$id" --action A1 --workers 14 --undertakings 2 \
    --irregularity pay=3 --irregularity social-security=1
  plan_on PL finding add "$id" --action A2 --workers 9 --undertakings 1 \
    --irregularity letterbox-company=1
  wait_plan RO "$id" IN_PROGRESS
  plan_on FR report submit "$id" --text "Three workers underpaid; the site was ordered to pay the difference."
  plan_on PL report submit "$id" --text "Demo Bau has real activity in Poland; one A1 was withdrawn."
  plan_on RO report submit "$id" --text "Two Romanian inspectors took part in the site inspection."
  local node
  for node in "${NODES[@]}"; do wait_plan "$node" "$id" REPORTED; done
  say "FR-DGT: pwx plan show $id"
  pwx_cli FR plan show "$id"
  say "RO-ITM: pwx plan report $id"
  pwx_cli RO plan report "$id"
  local fr other
  fr="$(plan_states FR)"
  for node in PL RO; do
    other="$(plan_states "$node")"
    if [[ "$fr" != "$other" ]]; then
      diff <(echo "$fr") <(echo "$other") >&2 || true
      die "FR-DGT and ${AUTHORITY[$node]} list different plans or states (above)"
    fi
  done
  say "pwx plan list --output json: FR-DGT, PL-PIP and RO-ITM hold the same $(wc -l <<<"$fr") plan(s) in the same states; $id is reported"
  PLAN_ID="$id"
}

cmd_start() {
  build
  mkdir -p "$DIR"
  local node
  for node in "${NODES[@]}"; do
    make_pki "$node"
    write_config "$node"
    if [[ -n "$(complete_roles "$node")$(complete_web "$node")" ]] &&
      running_pid "$node" >/dev/null; then
      stop_node "$node"
    fi
    start_server "$node"
  done
  for node in "${NODES[@]}"; do
    wait_ready "$node"
    say "${AUTHORITY[$node]} is up (pid $(running_pid "$node")) on ${LISTEN[$node]}"
  done
  federate
  local id
  id="$(demo_case)"
  share_demo "$id"
  demo_request "$id"
  ((three)) && demo_plan "$id"

  local dir_arg=""
  [[ "$dir" != "./var/quickstart" ]] && dir_arg=" --dir $(printf '%q' "$DIR")"
  local self="deploy/quickstart.sh"
  [[ "$(pwd -P)" == "$(cd "$REPO" && pwd -P)" ]] || self="$REPO/deploy/quickstart.sh"
  echo
  print_web_pages
  if ((three)); then
    cat <<EOF

FR-DGT runs on ${LISTEN[FR]}, PL-PIP on ${LISTEN[PL]} and RO-ITM on ${LISTEN[RO]},
each a peer of the others; data, logs and identity cards are in $DIR.
Next, in this shell:
  eval "\$($self$dir_arg --env RO)"   # the pwx CLI on RO-ITM, as ioana
  pwx plan list
  pwx plan show $PLAN_ID
  pwx plan report $PLAN_ID
  eval "\$($self$dir_arg --env FR)"   # the pwx CLI on FR-DGT, as alice
  pwx plan close $PLAN_ID
  $self$dir_arg --stop                # stop the three nodes
EOF
    return 0
  fi
  cat <<EOF

FR-DGT runs on ${LISTEN[FR]} and PL-PIP on ${LISTEN[PL]}, peers of each other;
data, logs and identity cards are in $DIR.
Next, in this shell:
  eval "\$($self$dir_arg --env FR)"   # the pwx CLI on FR-DGT, as alice
  pwx case list
  pwx case share $id --with PL-PIP
  pwx peer list
  eval "\$($self$dir_arg --env PL)"   # the pwx CLI on PL-PIP, as piotr
  pwx case get $id
  pwx request inbox
  pwx request show $REQUEST_ID
  $self$dir_arg --stop                # stop both nodes
EOF
}

case "$mode" in
  env) cmd_env ;;
  stop) cmd_stop ;;
  start) cmd_start ;;
esac
