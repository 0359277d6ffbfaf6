#!/usr/bin/env bash
# scripts/backup.sh [FILE]
# Writes a consistent dump (one snapshot) of the NEXUS database — every schema: the event log,
# each service's tables, the audit chain — in pg_dump's custom format. The database is
# NEXUS_PG_URL, or the embedded server of the node whose data directory is NEXUS_DATA_DIR
# (default ./data). Default FILE: ./data/backups/nexus-<UTC time>.dump
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_pg_client
url="$(nexus_pg_url)"
file="${1:-$ROOT/data/backups/nexus-$(date -u +%Y%m%dT%H%M%SZ).dump}"
mkdir -p "$(dirname "$file")"
pg_dump --format=custom --no-owner --no-privileges --file="$file" "$(libpq_url "$url")"
echo "backup written: $file ($(du -h "$file" | cut -f1))"
