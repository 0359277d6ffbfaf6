#!/usr/bin/env bash
# Runs every test: unit tests, specifications against real nodes, and the multi-process
# cluster tests. With NEXUS_PG_URL / NEXUS_REDIS_URL set they use those servers (each test
# gets a database of its own); without, embedded ones.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_toolchain
ensure_pg_client   # the backup/restore specification runs scripts/backup.sh and restore.sh
cd "$ROOT"
exec mvn -B verify "$@"
