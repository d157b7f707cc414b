#!/usr/bin/env bash
# Installs everything aws-cpp-sqs needs on Debian 12: the compiler toolchain and libraries
# (Debian packages), and the local SQS server used by the tests and the demo (fauxqs + the
# Node 22 it needs, from npm, pinned by emulator/package-lock.json, into emulator/node_modules).
# Idempotent: run it again any time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(
  g++ cmake make pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
  clang-format curl
  clang libclang-rt-14-dev   # the fuzz targets: libFuzzer + ASan/UBSan runtimes (scripts/fuzz.sh)
  nginx wrk   # benchmark kit: canned SQS endpoint and the wrk baseline
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm only install the emulator (which brings its own Node 22): any version will do,
# and the machine's own (e.g. from NodeSource) is kept when there is one.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp=emulator/node_modules/.installed-from-lock
if [[ ! -x emulator/node_modules/.bin/node ]] || ! cmp -s emulator/package-lock.json "$stamp"; then
  echo "setup: installing the local SQS server (fauxqs, Node 22) into emulator/node_modules" >&2
  (cd emulator && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false >/dev/null)
  cp emulator/package-lock.json "$stamp"
fi
echo "setup: ok ($(emulator/node_modules/.bin/node --version) for fauxqs $(node -p "require('./emulator/node_modules/fauxqs/package.json').version"))" >&2
