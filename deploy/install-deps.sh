#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build, test and run pwx.
#
# Idempotent: when every package is already installed it does nothing at all
# (not even `apt-get update`), so it is cheap to call from every script.
# Runs as root; otherwise through sudo when sudo exists.
set -euo pipefail

readonly PACKAGES=(
  # Toolchain.
  build-essential cmake ninja-build pkg-config git
  # TLS: libraries, and the openssl CLI used by deploy/pki.sh.
  ca-certificates openssl libssl-dev
  # gRPC and protobuf (library, protoc, grpc_cpp_plugin).
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  # Libraries.
  librocksdb-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev libabsl-dev
  # Tests and benchmarks.
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  # The browser tests (tests/web): headless Chromium driven from Python, the
  # user's certificate imported with the NSS tools; npm (below) fetches axe-core.
  chromium chromium-driver python3-selenium libnss3-tools curl
  # pgrep/pkill/ps for the scripts; jq reads the CLI's JSON in them.
  procps jq
  # The web listener's HTTP library; NSS tools import the user's .p12 into a browser.
  libcpp-httplib-dev libnss3-tools
)

usage() {
  cat <<EOF
Usage: deploy/install-deps.sh [--help]

Installs with apt-get the Debian 12 packages pwx needs to build and run:
  ${PACKAGES[*]}
and npm when no npm is on the PATH.
Does nothing when they are all installed already.
EOF
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) echo "install-deps.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

missing=()
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "installed" ]]; then
    missing+=("$pkg")
  fi
done

# npm installs axe-core for the browser tests. Only from apt when no npm is
# on the PATH: Debian's package conflicts with a nodejs that bundles npm.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps.sh: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-deps.sh: not root and sudo is not available; as root, run:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps.sh: installing ${missing[*]}"
"${SUDO[@]}" apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
