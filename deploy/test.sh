#!/usr/bin/env bash
# Builds pwx and runs its whole test suite with ctest; exits with ctest's
# status. Run with --help.
set -euo pipefail

readonly PROG="test.sh"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO

usage() {
  cat <<'EOF'
Usage: deploy/test.sh [--sanitize] [--build-dir DIR] [--help]

Installs the build dependencies (deploy/install-deps.sh), configures with
CMake (Ninja, RelWithDebInfo), builds everything with -j2 and runs every test
with ctest. Exits with ctest's status.

  --sanitize       build with AddressSanitizer + UndefinedBehaviorSanitizer
                   (-DPWX_SANITIZE=ON, benchmarks off); default build dir
                   <repo>/build-asan
  --build-dir DIR  build directory (default <repo>/build, or <repo>/build-asan
                   with --sanitize); relative to the current directory
EOF
}

sanitize=0
build_dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sanitize) sanitize=1; shift ;;
    --build-dir)
      [[ $# -ge 2 && -n "$2" ]] || { echo "$PROG: --build-dir needs a value" >&2; exit 2; }
      build_dir="$2"; shift 2 ;;
    --build-dir=*) build_dir="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

if [[ -z "$build_dir" ]]; then
  if [[ $sanitize -eq 1 ]]; then build_dir="$REPO/build-asan"; else build_dir="$REPO/build"; fi
fi
build_dir="$(realpath -m -- "$build_dir")"

# shellcheck source=deploy/steps.sh
source "$REPO/deploy/steps.sh"
steps_init "$build_dir/setup-logs"

step "dependencies (log: $STEPS_LOG_DIR/dependencies.log)"
quietly dependencies "$REPO/deploy/install-deps.sh"

# Every option is passed explicitly so that a reused build tree cannot keep a
# stale value from an earlier configuration.
cmake_args=(-S "$REPO" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPWX_BUILD_TESTS=ON)
if [[ $sanitize -eq 1 ]]; then
  # -O1 and line tables only (-g1): what sanitizer runs need for fast code
  # and symbolized reports, at a fraction of the compile time of -O2 -g.
  cmake_args+=(-DPWX_SANITIZE=ON -DPWX_BUILD_BENCHMARKS=OFF
               "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG")
else
  cmake_args+=(-DPWX_SANITIZE=OFF -DPWX_BUILD_BENCHMARKS=ON)
fi
# The generator of an existing build tree cannot change; pass it only the
# first time.
[[ -f "$build_dir/CMakeCache.txt" ]] || cmake_args+=(-G Ninja)

step "configure $build_dir ($( ((sanitize)) && echo 'ASan+UBSan' || echo 'no sanitizers'))"
quietly configure cmake "${cmake_args[@]}"

step "build (log: $STEPS_LOG_DIR/build.log)"
quietly build cmake --build "$build_dir" -j2

if [[ $sanitize -eq 1 ]]; then
  # LeakSanitizer works in this sandbox (checked: no ptrace restriction gets
  # in its way; a deliberate leak is reported and aborts the program), so
  # leaks fail the tests too. deploy/lsan.supp silences only what system
  # libraries keep allocated until exit (c-ares under gRPC). abort_on_error
  # turns every report into a crash that ctest sees. Values already in the
  # environment win.
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
  export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$REPO/deploy/lsan.supp:print_suppressions=0}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
  step "test (ASAN_OPTIONS=$ASAN_OPTIONS LSAN_OPTIONS=$LSAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS)"
else
  step "test"
fi

status=0
# --no-tests=error: a suite that registers no test is a failure, not a pass.
ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout 900 --no-tests=error || status=$?
step "done: ctest exited $status"
exit "$status"
