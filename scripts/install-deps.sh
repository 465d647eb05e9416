#!/usr/bin/env bash
# Installs everything wirestream needs to build and test on Debian bookworm.
# Idempotent: packages already present are skipped, so CI and developers can call it every time.
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --build    only what building needs (docker/ build stage)
#   scripts/install-deps.sh --runtime  only what the binary needs at run time (docker/ final stage)
set -euo pipefail
runtime_pkgs="librdkafka1 libcjson1 libpcre2-8-0 ca-certificates"
build_pkgs="gcc make cmake pkg-config librdkafka-dev libcjson-dev libpcre2-dev"
test_pkgs="kcat python3 python3-jsonschema openjdk-17-jre-headless maven clang libclang-rt-14-dev llvm curl openssl"
want="$build_pkgs $test_pkgs"
case "${1:-}" in
  "") ;;
  --build) want="$build_pkgs" ;;
  --runtime) want="$runtime_pkgs" ;;
  *) echo "usage: $0 [--build|--runtime]" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# java and maven may come from outside Debian on developer machines; accept them if on PATH.
if [ -n "$missing" ]; then
  filtered=""
  for p in $missing; do
    case "$p" in
      openjdk-17-jre-headless) command -v java >/dev/null && continue ;;
      maven) command -v mvn >/dev/null && continue ;;
      python3) command -v python3 >/dev/null && continue ;;
    esac
    filtered="$filtered $p"
  done
  missing="$filtered"
fi
if [ -n "${missing// /}" ]; then
  echo "install-deps: installing:$missing" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
