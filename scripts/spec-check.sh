#!/usr/bin/env bash
# The contract lives in spec/; ../shared is where it is published. When ../shared is beside the
# repository, any difference fails the run: copy the new contract in and make the code conform.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d ../shared ] || { echo "spec: ../shared not found, using spec/ as it is"; exit 0; }
status=0
for f in PROTOCOL.md vectors/v1.json vectors/v1-reclaim.json; do
  if ! cmp -s "spec/$f" "../shared/$f"; then
    echo "spec/$f differs from ../shared/$f: copy it (cp ../shared/$f spec/$f) and make the code conform" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "spec: spec/ matches ../shared"
exit "$status"
