#!/usr/bin/env bash
# What the tests need beyond npm packages: Debian's Chromium for the browser tests (browser downloads
# cannot work here). Idempotent; installs only what is missing.
set -euo pipefail
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "setup: installing Debian's chromium" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
