#!/usr/bin/env bash
# Every test, with the set-up it needs: the contract's copy, types and lint, unit tests, browser
# tests (Debian's Chromium), then the storage tests again on Debian's PostgreSQL (scripts/postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/spec-check.sh
bash scripts/setup.sh
npm run check
npm run test:unit
npm run test:e2e
DATABASE_URL=$(bash scripts/postgres.sh) npm run test:postgres
