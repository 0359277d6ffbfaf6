#!/usr/bin/env bash
# scripts/bench/run.sh [scenario...]   (scenarios: gateway, bus, write, fanout, import, examine, predict, vision, llm; default: all)
# Each scenario measures the candidate against a baseline in the same run on the same machine
# and reports ratios, as Markdown and JSON under ./data/bench/<UTC time>/. PostgreSQL and Redis
# are NEXUS_PG_URL / NEXUS_REDIS_URL when set, else embedded servers started for the run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ensure_toolchain
ensure_jar
out="$ROOT/data/bench/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
cp="$(bench_classpath)"
scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && scenarios=(gateway bus write fanout import examine predict vision llm)
for s in "${scenarios[@]}"; do
  case "$s" in
    write)
      command -v pgbench >/dev/null 2>&1 || apt_install postgresql-client
      java "${JAVA_OPENS[@]}" -Xmx2g -cp "$cp" io.nexus.bench.WriteBench "$out" ;;
    import) java "${JAVA_OPENS[@]}" -Xmx2g ${NEXUS_BENCH_JAVA_OPTS:-} -cp "$cp" io.nexus.bench.ImportBench "$out" ;;
    examine) java "${JAVA_OPENS[@]}" -Xmx2g ${NEXUS_BENCH_JAVA_OPTS:-} -cp "$cp" io.nexus.bench.ExamineBench "$out" ;;
    gateway)
      command -v wrk >/dev/null 2>&1 || apt_install wrk
      java "${JAVA_OPENS[@]}" -Xmx1g -Dnexus.node.jar="$JAR" -cp "$cp" io.nexus.bench.GatewayBench "$out" ;;
    bus) java "${JAVA_OPENS[@]}" -Xmx1g -cp "$cp" io.nexus.bench.BusBench "$out" ;;
    predict) java "${JAVA_OPENS[@]}" -Xmx1g -cp "$cp" io.nexus.bench.PredictBench "$out" ;;
    vision)
      ensure_ocr
      java "${JAVA_OPENS[@]}" -Xmx1g -cp "$cp" io.nexus.bench.VisionBench "$out" ;;
    llm) java "${JAVA_OPENS[@]}" -Xmx2g ${NEXUS_BENCH_JAVA_OPTS:-} -cp "$cp" io.nexus.bench.LlmBench "$out" ;;
    fanout)
      command -v wrk >/dev/null 2>&1 || apt_install wrk
      java "${JAVA_OPENS[@]}" -Xmx1g -Dnexus.node.jar="$JAR" -cp "$cp" io.nexus.bench.FanoutBench "$out" ;;
    *) echo "unknown scenario '$s'; known: gateway, bus, write, fanout, import, examine, predict, vision, llm" >&2; exit 2 ;;
  esac
done
echo "reports in $out"
