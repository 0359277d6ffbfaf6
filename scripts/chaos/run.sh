#!/usr/bin/env bash
# scripts/chaos/run.sh [--short] [drill...]   (drills: kill, pause, postgres, redis, slow, partition; default: all)
# Starts three nodes with every service on one shared PostgreSQL and Redis (embedded, owned by the
# run so that a drill may restart them), puts a steady write and read load on them, and runs each
# drill: PASS/FAIL with its figures on stdout, Markdown and JSON under ./data/chaos/<UTC time>/.
# Run as root to put each node in its own network namespace (the partition drill needs it).
# --short is the bounded form the test command runs; without it each fault lasts as long as the
# issue asks (30 s pause, 60 s Redis outage, 60 s partition).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ensure_toolchain
ensure_jar
out="$ROOT/data/chaos/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
cp="$(bench_classpath)"
exec java "${JAVA_OPENS[@]}" -Xmx1g -Dnexus.node.jar="$JAR" -Dnexus.chaos.out="$out" -cp "$cp" io.nexus.bench.Chaos "$@"
