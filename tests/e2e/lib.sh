# Shared by the end-to-end test scripts (sourced, not run). A script sets
# E2E_NAME, sources this file, and may define two hooks:
#   e2e_on_exit      stops what the script started (called on every exit)
#   e2e_on_failure   prints what explains a failure (server logs)
# Needs bash, coreutils, grep and sed (and jq for q).

PASSED=0
CMD=""
RC=0

# e2e_tmpdir: a fresh absolute directory $T, removed on exit.
e2e_tmpdir() {
  T="$(mktemp -d "${TMPDIR:-/tmp}/pwx-$E2E_NAME.XXXXXX")"
  T="$(cd "$T" && pwd)"  # absolute: some paths are passed to servers
  readonly T
  trap e2e_exit EXIT
  trap 'exit 130' INT TERM
}

e2e_exit() {
  if declare -F e2e_on_exit >/dev/null; then e2e_on_exit || true; fi
  rm -rf "$T"
}

# e2e_binaries "$@": the arguments PWX_SERVER_BINARY PWX_CLI_BINARY PKI_SH,
# checked, as SERVER_BIN, CLI_BIN and PKI_SH.
e2e_binaries() {
  if [[ $# -ne 3 ]]; then
    echo "usage: $E2E_NAME.sh PWX_SERVER_BINARY PWX_CLI_BINARY PKI_SH" >&2
    exit 2
  fi
  SERVER_BIN="$(realpath -- "$1")"
  CLI_BIN="$(realpath -- "$2")"
  PKI_SH="$(realpath -- "$3")"
  readonly SERVER_BIN CLI_BIN PKI_SH
  local f
  for f in "$SERVER_BIN" "$CLI_BIN"; do
    [[ -x "$f" ]] || { echo "$E2E_NAME: not an executable: $f" >&2; exit 2; }
  done
  [[ -f "$PKI_SH" ]] || { echo "$E2E_NAME: no such file: $PKI_SH" >&2; exit 2; }
}

ok() {
  PASSED=$((PASSED + 1))
  echo "ok - $*"
}

# fail DESCRIPTION REASON: reports the failed check with the last command's
# output and the script's own context, then exits 1.
fail() {
  echo "not ok - $1"
  echo "#   $2"
  if [[ -n "$CMD" ]]; then
    echo "#   last command: $CMD (exit $RC)"
    sed 's/^/#   out: /' "$T/out" 2>/dev/null | tail -n 40 || true
    sed 's/^/#   err: /' "$T/err" 2>/dev/null | tail -n 40 || true
  fi
  if declare -F e2e_on_failure >/dev/null; then e2e_on_failure || true; fi
  echo "$E2E_NAME: FAILED after $PASSED passed checks"
  exit 1
}

# e2e_done: the closing summary line.
e2e_done() {
  echo "$E2E_NAME: $PASSED passed, 0 failed"
}

# run CMD...: runs a command for at most CLI_TIMEOUT_S (default 30) seconds,
# keeping its stdout in $T/out (and on one line in $FLAT), its stderr in $ERR
# and its exit status in $RC; never fails by itself.
run() {
  CMD="$(printf "%q " "$@")"
  RC=0
  timeout "${CLI_TIMEOUT_S:-30}" "$@" >"$T/out" 2>"$T/err" </dev/null || RC=$?
  ERR="$(cat "$T/err")"
  # One line: pretty-printed and compact JSON then match the same patterns.
  FLAT="$(tr -d '\n\r' <"$T/out")"
}

# q [JQ OPTIONS] FILTER: jq -r (jq needed) on the last command's output ("" when it is
# not JSON, so that a check fails on the value rather than here).
q() { jq -r "$@" "$T/out" 2>/dev/null || true; }

# must WHAT: the last command succeeded.
must() { [[ $RC -eq 0 ]] || fail "$1" "exit $RC: $ERR"; }

# expect_rc DESCRIPTION WANT: the last command exited with WANT.
expect_rc() {
  [[ $RC -eq $2 ]] || fail "$1" "expected exit status $2, got $RC"
}

# expect_err DESCRIPTION WANT TEXT: the last command exited with WANT and
# said TEXT (a fixed string) on stderr.
expect_err() {
  expect_rc "$1" "$2"
  grep -qF -- "$3" <<<"$ERR" || fail "$1" "expected '$3' on stderr"
}

# json_string KEY: the first string value of "KEY" in $FLAT.
json_string() {
  grep -oE "\"$1\" *: *\"[^\"]*\"" <<<"$FLAT" | head -n 1 |
    sed -E 's/.*"([^"]*)"$/\1/' || true
}

# json_uint KEY: the first integer value of "KEY" in $FLAT, 0 when absent
# (proto3 JSON leaves zeros out); accepts both 7 and "7" (64-bit integers
# are written as strings).
json_uint() {
  local v
  v="$(grep -oE "\"$1\" *: *\"?[0-9]+\"?" <<<"$FLAT" | head -n 1 |
    grep -oE '[0-9]+"?$' | tr -d '"' || true)"
  echo "${v:-0}"
}

# wait_port FILE PID: prints the port number a server writes to FILE, once
# it is complete; fails when PID exits first or after START_TIMEOUT_S
# (default 60) seconds.
wait_port() {
  local file="$1" pid="$2" i port
  for ((i = 0; i < ${START_TIMEOUT_S:-60} * 10; i++)); do
    if [[ -s "$file" ]]; then
      port="$(tr -d '[:space:]' <"$file")"
      # Read twice, in case the file is being written right now.
      sleep 0.1
      if [[ "$port" =~ ^[0-9]+$ && "$port" -gt 0 && "$port" -lt 65536 &&
            "$port" == "$(tr -d '[:space:]' <"$file")" ]]; then
        echo "$port"
        return 0
      fi
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
