#!/usr/bin/env bash
# The README's screenshots (wallet paying, POS verdict, collector report), taken by the café journey from the
# real apps: `bash scripts/screenshots.sh` rewrites docs/screens/*.png.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/screens
npm run build --silent
MONEYBAG_SCREENSHOTS="$PWD/docs/screens" npx playwright test apps/pos/e2e/journeys.spec.ts -g "a day at the café"
ls -l docs/screens
