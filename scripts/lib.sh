# Shared by the scripts: where the repository and the node jar are, and how to build it.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/verticles/node/target/nexus-node.jar"
# Hazelcast reads JVM internals; without these it warns and loses some metrics.
JAVA_OPENS=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)

# Installs Debian packages with apt (as root on Debian); elsewhere asks the user to.
apt_install() {
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "nexus: please install: $*" >&2
    exit 1
  fi
  echo "nexus: installing $*" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Installs a JDK 17+ and Maven with apt when they are missing (a fresh Debian machine as root).
ensure_toolchain() {
  local need=()
  command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || need+=(maven)
  apt_install "${need[@]}"
}

# Builds the node jar when it is missing or older than any source, config or pom.
ensure_jar() {
  # sources newer than the jar, the dashboard's files included (not the browser tests' packages)
  if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT" -path "$ROOT/data" -prune -o -path '*/target' -prune -o -path "$ROOT/e2e" -prune -o \
      \( -name '*.java' -o -name '*.yaml' -o -name '*.xml' -o -name '*.sql' -o -name '*.json' -o -name '*.js' -o -name '*.html' \
      -o -name '*.css' -o -name '*.svg' \) -newer "$JAR" -print -quit)" ]; then
    echo "nexus: building the node jar (first run takes a few minutes)" >&2
    (cd "$ROOT" && mvn -B -q -DskipTests install) >&2
  fi
}

# Installs the PostgreSQL client tools (pg_dump, pg_restore) with apt when they are missing.
ensure_pg_client() {
  if ! command -v pg_dump >/dev/null 2>&1 || ! command -v pg_restore >/dev/null 2>&1; then
    apt_install postgresql-client
  fi
}

# Installs openssl with apt when it is missing (the gateway TLS specification makes a certificate with it).
ensure_openssl() {
  command -v openssl >/dev/null 2>&1 || apt_install openssl
}

# The database URL: NEXUS_PG_URL, else the one a node with embedded PostgreSQL wrote into its
# data directory (NEXUS_DATA_DIR, default ./data; scripts/cluster.sh's shared servers too).
nexus_pg_url() {
  if [ -n "${NEXUS_PG_URL:-}" ]; then
    echo "$NEXUS_PG_URL"
    return
  fi
  local data="${NEXUS_DATA_DIR:-$ROOT/data}"
  for f in "$data/pg.url" "$data/cluster/shared/pg.url"; do
    if [ -f "$f" ]; then
      cat "$f"
      return
    fi
  done
  echo "nexus: no database: set NEXUS_PG_URL, or start a node with embedded PostgreSQL (it writes $data/pg.url)" >&2
  exit 1
}

# postgresql://... as libpq takes it (it accepts the URL form; only the scheme name differs).
libpq_url() {
  echo "$1" | sed -E 's#^postgres(ql)?://#postgresql://#'
}

# Installs Debian's Tesseract with its English and German data (the Vision service's OCR) and the
# DejaVu fonts (receipts are drawn with them in the tests and the demo) when missing. With "soft",
# a machine where apt cannot be used only hears that OCR will be off (the node runs without it).
ensure_ocr() {
  local need=()
  if ! command -v tesseract >/dev/null 2>&1; then
    need+=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu)
  else
    local langs
    langs="$(tesseract --list-langs 2>/dev/null || true)"
    grep -qx eng <<<"$langs" || need+=(tesseract-ocr-eng)
    grep -qx deu <<<"$langs" || need+=(tesseract-ocr-deu)
  fi
  { command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q DejaVu; } || need+=(fontconfig fonts-dejavu-core)
  [ ${#need[@]} -gt 0 ] || return 0
  if [ "${1:-}" = soft ] && { [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; }; then
    echo "nexus: OCR is off until these are installed: ${need[*]}" >&2
    return 0
  fi
  apt_install "${need[@]}"
}

# Installs what the browser tests need when missing: Debian's Chromium (apt) and the e2e
# packages from npm (the committed lockfile, npm ci). Node.js itself comes from apt if absent.
ensure_browser_tools() {
  local need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v node >/dev/null 2>&1 || need+=(nodejs)
  command -v npm >/dev/null 2>&1 || need+=(npm)
  apt_install "${need[@]}"
  if [ ! -d "$ROOT/e2e/node_modules/playwright-core" ] || [ "$ROOT/e2e/package-lock.json" -nt "$ROOT/e2e/node_modules" ]; then
    echo "nexus: installing the e2e packages (npm ci)" >&2
    (cd "$ROOT/e2e" && npm ci --no-audit --no-fund --loglevel=error) >&2
  fi
}

# The bench module's classpath (compiled classes + dependencies), for scripts/bench and scripts/chaos.
bench_classpath() {
  local cp_file="$ROOT/verticles/bench/target/classpath.txt"
  if [ ! -f "$cp_file" ] || [ "$ROOT/verticles/bench/pom.xml" -nt "$cp_file" ]; then
    (cd "$ROOT" && mvn -B -q -pl verticles/bench dependency:build-classpath -Dmdep.outputFile="$cp_file") >&2
  fi
  echo "$ROOT/verticles/bench/target/classes:$(cat "$cp_file")"
}
