#!/usr/bin/env bash
# The one command that shows wirestream working on a fresh Debian machine:
# installs the apt packages, builds, and runs `build/wirestream demo`, which
# starts librdkafka's in-process mock cluster (no Kafka to install), produces
# the project's own sample articles and prints the enriched records.
#
#   scripts/demo.sh                 enriched records on stdout, logs and metrics on stderr
#   scripts/demo.sh > records.jsonl
# Set-up output goes to stderr, so stdout carries only the records.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build=${WS_BUILD_DIR:-build}
if [ "${WS_SKIP_DEPS:-0}" != 1 ]; then
  "$here/scripts/install-deps.sh" >&2
fi
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
cmake --build "$build" -j"${WS_JOBS:-2}" --target wirestream >&2
exec "$build/wirestream" demo "$@"
