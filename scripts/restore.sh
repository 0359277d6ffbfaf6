#!/usr/bin/env bash
# scripts/restore.sh FILE
# Restores a dump written by scripts/backup.sh into the NEXUS database (NEXUS_PG_URL, or the
# embedded server of NEXUS_DATA_DIR), replacing what is there. Stop the nodes first; start them
# again afterwards: read models, checkpoints and the audit chain come back as they were.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  echo "usage: scripts/restore.sh FILE   (a dump written by scripts/backup.sh)" >&2
  exit 2
fi
ensure_pg_client
url="$(nexus_pg_url)"
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$(libpq_url "$url")" "$1"
echo "restored $1"
