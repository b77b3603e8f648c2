#!/usr/bin/env bash
# Starts Debian's PostgreSQL on loopback for the storage tests (installing it when missing) and prints the
# DATABASE_URL of a fresh test database. Used by .ci/run; harmless to run again.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_lsclusters -h | grep -q "^$version main" || pg_createcluster "$version" main >&2
pg_ctlcluster "$version" main start >&2 2>/dev/null || true
for _ in $(seq 1 30); do su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break; sleep 1; done
su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'moneybag'\"" >&2
su postgres -c "psql -qc 'DROP DATABASE IF EXISTS moneybag_test'" >&2
su postgres -c "psql -qc 'CREATE DATABASE moneybag_test'" >&2
echo "postgres://postgres:moneybag@127.0.0.1:5432/moneybag_test"
