#!/usr/bin/env bash
# Loads demo books into a running node: a ledger of about 50,000 entries over two years with
# planted anomalies of every examination rule (imported through the API), an examination of
# it, a risk model trained on its entries and promoted (every entry scored),
# it, and a user per role whose logins are printed. Talks HTTP to NEXUS_URL (default
# http://127.0.0.1:8080) as NEXUS_ADMIN_EMAIL / NEXUS_ADMIN_PASSWORD.
# NEXUS_DEMO_SCALE (default 1.0) scales the books; NEXUS_DEMO_SEED (default 42) varies them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_toolchain
ensure_jar
exec java -cp "$JAR" io.nexus.node.DemoData
