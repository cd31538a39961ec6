# Sourced by deploy/quickstart.sh and deploy/test.sh: one line per step with
# the time since the script started, and the noisy tools (apt, CMake, the
# compiler) writing to a log file that is shown only when they fail.
#
#   source "$REPO/deploy/steps.sh"
#   steps_init "$log_dir"       # where the logs go
#   step "building"             # ==> [+12s] building
#   quietly build cmake --build build -j2
#     # output to $log_dir/build.log; on failure prints its last lines and
#     # the log's path and returns the tool's status

STEPS_START=${STEPS_START:-$SECONDS}
STEPS_LOG_DIR=""

steps_init() {
  STEPS_LOG_DIR="$1"
  mkdir -p "$STEPS_LOG_DIR"
}

step() {
  echo "==> [+$((SECONDS - STEPS_START))s] $*"
}

# quietly NAME CMD...: runs CMD with stdout and stderr to
# $STEPS_LOG_DIR/NAME.log. PWX_VERBOSE=1 shows the output as it comes.
quietly() {
  local name="$1"
  shift
  local log="$STEPS_LOG_DIR/$name.log"
  if [[ "${PWX_VERBOSE:-0}" == 1 ]]; then
    "$@" 2>&1 | tee "$log"
    return "${PIPESTATUS[0]}"
  fi
  local status=0
  "$@" >"$log" 2>&1 || status=$?
  if [[ $status -ne 0 ]]; then
    echo "==> $name failed (exit $status); the last lines of $log:" >&2
    tail -n 60 "$log" >&2
    echo "==> the whole output is in $log" >&2
  fi
  return "$status"
}
