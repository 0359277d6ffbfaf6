#!/usr/bin/env bash
# Runs every test: unit tests, specifications against real nodes, the multi-process cluster
# tests and the dashboard's browser tests (headless Chromium). With NEXUS_PG_URL / NEXUS_REDIS_URL set they use those servers (each test
# gets a database of its own); without, embedded ones.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_toolchain
ensure_pg_client   # the backup/restore specification runs scripts/backup.sh and restore.sh
ensure_openssl   # GatewayOpsTest makes a self-signed certificate for the HTTPS listener
ensure_ocr   # the Vision service's OCR tests run the real tesseract
ensure_browser_tools   # the dashboard's browser tests (DashboardIT) drive Chromium with playwright-core
cd "$ROOT"
exec mvn -B verify "$@"
