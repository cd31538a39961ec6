#!/usr/bin/env bash
# One pwx node on this machine in one command: installs the build
# dependencies, builds pwx-server and pwx, makes a PKI, starts the node for
# FR-DGT on 127.0.0.1:7443 and files a demo case. Safe to run again: it reuses
# the PKI, the data and a node that is already running. Run with --help.
set -euo pipefail

readonly PROG="quickstart.sh"
readonly AUTHORITY_ID="FR-DGT"
readonly AUTHORITY_NAME="Direction générale du travail"
readonly USER_NAME="alice"
readonly LISTEN="127.0.0.1:7443"
readonly SERVER_ADDR="localhost:7443"  # "localhost" is in the node certificate
readonly START_TIMEOUT_S=30
readonly STOP_TIMEOUT_S=15

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO
readonly BUILD_DIR="$REPO/build"
readonly SERVER_BIN="$BUILD_DIR/server/pwx-server"
readonly CLIENT_DIR="$BUILD_DIR/client"
readonly CLIENT_BIN="$CLIENT_DIR/pwx"

usage() {
  cat <<'EOF'
Usage: deploy/quickstart.sh [--dir DIR] [--env | --stop] [--help]

Without --env or --stop: installs the build dependencies (deploy/install-deps.sh),
builds pwx-server and pwx into <repo>/build, creates a PKI for the authority
FR-DGT and its user alice under DIR/pki, writes DIR/fr-dgt.textproto, starts
the node on 127.0.0.1:7443 in the background (log DIR/fr-dgt.log, pid
DIR/fr-dgt.pid) unless it is already running, and files a demo case once.
Running it again reuses the PKI, the data and the running node.

  --dir DIR  where the PKI, config, data, log and pid live
             (default: ./var/quickstart, relative to the current directory)
  --env      print only the shell exports that point the pwx CLI at the node as
             alice:  eval "$(deploy/quickstart.sh --env)"
  --stop     stop the node (SIGTERM, then wait up to 15 s)
  --help     this text
EOF
}

die() {
  echo "$PROG: error: $*" >&2
  exit 1
}

say() {
  echo "==> $*"
}

dir="./var/quickstart"
mode="start"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) [[ $# -ge 2 ]] || die "--dir needs a value"; dir="$2"; shift 2 ;;
    --dir=*) dir="${1#*=}"; shift ;;
    --env) mode="env"; shift ;;
    --stop) mode="stop"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ -n "$dir" ]] || die "--dir must not be empty"
DIR="$(realpath -m -- "$dir")"
readonly DIR
readonly PKI_DIR="$DIR/pki"
readonly CA_PEM="$PKI_DIR/$AUTHORITY_ID/ca.pem"
readonly NODE_PEM="$PKI_DIR/$AUTHORITY_ID/node.pem"
readonly NODE_KEY="$PKI_DIR/$AUTHORITY_ID/node.key"
readonly USER_PEM="$PKI_DIR/$AUTHORITY_ID/users/$USER_NAME.pem"
readonly USER_KEY="$PKI_DIR/$AUTHORITY_ID/users/$USER_NAME.key"
readonly CONFIG="$DIR/fr-dgt.textproto"
readonly DATA_DIR="$DIR/data/$AUTHORITY_ID"
readonly LOG_FILE="$DIR/fr-dgt.log"
readonly PID_FILE="$DIR/fr-dgt.pid"

# Prints the pid from the pid file when that process is alive and is a
# pwx-server; fails otherwise.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid belonging to something else.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'pwx-server' || return 1
  echo "$pid"
}

pwx_cli() {
  "$CLIENT_BIN" --server "$SERVER_ADDR" --ca "$CA_PEM" --cert "$USER_PEM" --key "$USER_KEY" "$@"
}

cmd_env() {
  if [[ ! -f "$CA_PEM" || ! -f "$USER_PEM" ]]; then
    printf '%s: note: no PKI in %s yet; run %q --dir %q first\n' \
      "$PROG" "$PKI_DIR" "$REPO/deploy/quickstart.sh" "$DIR" >&2
  fi
  printf 'export PWX_SERVER=%q\n' "$SERVER_ADDR"
  printf 'export PWX_CA=%q\n' "$CA_PEM"
  printf 'export PWX_CERT=%q\n' "$USER_PEM"
  printf 'export PWX_KEY=%q\n' "$USER_KEY"
  # shellcheck disable=SC2016  # $PATH is expanded by the eval, not here.
  printf 'export PATH=%q"${PATH:+:$PATH}"\n' "$CLIENT_DIR"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    if [[ -f "$PID_FILE" ]]; then
      rm -f "$PID_FILE"
      echo "$PROG: nothing was running (removed the stale pid file $PID_FILE)"
    else
      echo "$PROG: nothing was running (no pid file $PID_FILE)"
    fi
    return 0
  fi
  say "stopping pwx-server (pid $pid)"
  kill -TERM "$pid"
  local i
  for ((i = 0; i < STOP_TIMEOUT_S * 10; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      echo "$PROG: stopped"
      return 0
    fi
    sleep 0.1
  done
  die "pwx-server (pid $pid) still running ${STOP_TIMEOUT_S}s after SIGTERM; see $LOG_FILE, or kill -9 $pid"
}

# Quotes a string for protobuf text format.
textproto_quote() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '"%s"' "$s"
}

write_config() {
  if [[ -f "$CONFIG" ]]; then
    say "config $CONFIG exists, kept (delete it to regenerate)"
    return 0
  fi
  local tmp="$CONFIG.tmp.$$"
  cat >"$tmp" <<EOF
# pwx-server configuration written by deploy/quickstart.sh
# (message pwx.v1.ServerConfig; see deploy/pwx-server.example.textproto).
authority_id: $(textproto_quote "$AUTHORITY_ID")
authority_name: $(textproto_quote "$AUTHORITY_NAME")
data_dir: $(textproto_quote "$DATA_DIR")
api {
  listen: $(textproto_quote "$LISTEN")
  cert_file: $(textproto_quote "$NODE_PEM")
  key_file: $(textproto_quote "$NODE_KEY")
  client_ca_file: $(textproto_quote "$CA_PEM")
}
admin_users: $(textproto_quote "$USER_NAME")
log {
  format: "text"
}
EOF
  mv -f "$tmp" "$CONFIG"
  say "wrote $CONFIG"
}

build() {
  say "installing build dependencies (deploy/install-deps.sh)"
  "$REPO/deploy/install-deps.sh"

  say "configuring $BUILD_DIR"
  local args=(-S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  # The generator of an existing build tree cannot change; pass it only the
  # first time.
  [[ -f "$BUILD_DIR/CMakeCache.txt" ]] || args+=(-G Ninja)
  cmake "${args[@]}"

  say "building pwx-server and pwx (this takes a while the first time)"
  cmake --build "$BUILD_DIR" --target pwx-server pwx -j2
  [[ -x "$SERVER_BIN" ]] || die "build finished but $SERVER_BIN is missing"
  [[ -x "$CLIENT_BIN" ]] || die "build finished but $CLIENT_BIN is missing"
}

make_pki() {
  say "PKI in $PKI_DIR"
  "$REPO/deploy/pki.sh" authority --out "$PKI_DIR" --id "$AUTHORITY_ID" --name "$AUTHORITY_NAME"
  "$REPO/deploy/pki.sh" user --out "$PKI_DIR" --id "$AUTHORITY_ID" --name "$USER_NAME"
}

start_server() {
  local pid
  if pid="$(running_pid)"; then
    say "pwx-server already running (pid $pid), reused"
    return 0
  fi
  rm -f "$PID_FILE"
  mkdir -p "$DATA_DIR"
  say "starting pwx-server on $LISTEN (log $LOG_FILE)"
  {
    echo
    echo "---- $(date -u +%Y-%m-%dT%H:%M:%SZ) started by deploy/quickstart.sh ----"
  } >>"$LOG_FILE"
  # setsid: own session, so the node survives this shell and Ctrl-C in it.
  # In a script the background child is not a process-group leader, so setsid
  # does not fork and $! is the server's pid.
  setsid nohup "$SERVER_BIN" --config "$CONFIG" >>"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
}

wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT_S)) pid
  while :; do
    # alice is the bootstrap admin (admin_users), so she may list users as
    # soon as the node answers.
    if pwx_cli user list >/dev/null 2>&1; then
      return 0
    fi
    if ! pid="$(running_pid)"; then
      echo "$PROG: pwx-server is not running; last lines of $LOG_FILE:" >&2
      tail -n 30 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "$PROG: pwx-server (pid $pid) did not answer 'pwx case list' within ${START_TIMEOUT_S}s;" \
        "last lines of $LOG_FILE:" >&2
      tail -n 30 "$LOG_FILE" >&2 || true
      echo "$PROG: the last attempt said:" >&2
      pwx_cli user list >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

demo_case() {
  local found
  found="$(pwx_cli --output json case list --text "Demo Bau")" ||
    die "'pwx --output json case list --text \"Demo Bau\"' failed"
  if grep -Eq "\"$AUTHORITY_ID-[0-9]{4}-[0-9]+\"" <<<"$found"; then
    say "demo case exists, kept"
    return 0
  fi
  say "creating a demo case"
  pwx_cli case create \
    --title "Demo: posted workers at a Lyon building site" \
    --undertaking-name "Demo Bau Sp. z o.o." \
    --undertaking-reg PL5260001246 \
    --undertaking-country PL \
    --recipient-name "Constructions Rhône SA" \
    --recipient-country FR \
    --sector F41.20 \
    --declaration-ref SIPSI-2026-000123 \
    --worker "name=Jan Kowalski;dob=1988-03-14;nationality=PL;a1=PL-A1-2026-0001;start=2026-01-05;end=2026-06-30;workplace=Lyon" \
    >/dev/null
}

cmd_start() {
  build
  mkdir -p "$DIR"
  make_pki
  write_config
  start_server
  wait_ready
  # Cases need the inspector role; granting it again changes nothing.
  say "granting alice the inspector role"
  pwx_cli user grant "$USER_NAME" inspector >/dev/null
  say "pwx-server is up (pid $(running_pid)) on $LISTEN"
  demo_case

  say "pwx case list"
  pwx_cli case list

  local dir_arg=""
  [[ "$dir" != "./var/quickstart" ]] && dir_arg=" --dir $(printf '%q' "$DIR")"
  local self="deploy/quickstart.sh"
  [[ "$(pwd -P)" == "$(cd "$REPO" && pwd -P)" ]] || self="$REPO/deploy/quickstart.sh"
  cat <<EOF

The node $AUTHORITY_ID runs on $LISTEN; data in $DATA_DIR, log in $LOG_FILE.
Next, in this shell:
  eval "\$($self$dir_arg --env)"   # the pwx CLI as $USER_NAME
  pwx case list
  pwx case get <id>
  $self$dir_arg --stop             # stop the node
EOF
}

case "$mode" in
  env) cmd_env ;;
  stop) cmd_stop ;;
  start) cmd_start ;;
esac
