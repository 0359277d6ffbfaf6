# Shared by the scripts: where the repository and the node jar are, and how to build it.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/verticles/node/target/nexus-node.jar"
# Hazelcast reads JVM internals; without these it warns and loses some metrics.
JAVA_OPENS=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)

# Installs a JDK 17+ and Maven with apt when they are missing (a fresh Debian machine as root).
ensure_toolchain() {
  local need=()
  command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || need+=(maven)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      echo "nexus: please install: ${need[*]}" >&2
      exit 1
    fi
    echo "nexus: installing ${need[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

# Builds the node jar when it is missing or older than any source, config or pom.
ensure_jar() {
  if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT" -path "$ROOT/data" -prune -o -path '*/target' -prune -o \
      \( -name '*.java' -o -name '*.yaml' -o -name '*.xml' -o -name '*.sql' -o -name '*.json' \) -newer "$JAR" -print -quit)" ]; then
    echo "nexus: building the node jar (first run takes a few minutes)" >&2
    (cd "$ROOT" && mvn -B -q -DskipTests install) >&2
  fi
}
