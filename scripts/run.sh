#!/usr/bin/env bash
# Runs one NEXUS node with every service. Without NEXUS_PG_URL / NEXUS_REDIS_URL it starts
# embedded PostgreSQL and Redis with their data under ./data (kept across restarts).
# Arguments go to the node: --services a,b  --port N  --config FILE.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_toolchain
ensure_ocr soft   # the Vision service reads documents with tesseract (it runs without, codes and PDF text only)
ensure_jar
cd "$ROOT"
exec java "${JAVA_OPENS[@]}" ${NEXUS_JAVA_OPTS:-} -jar "$JAR" "$@"
