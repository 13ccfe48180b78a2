#!/usr/bin/env bash
# JMH microbenchmarks of the request hot path (issue 8), one command from a fresh clone:
#   bash bench/jmh.sh [BENCHMARK_REGEX...] [JMH options, e.g. -f 2 -i 10 -prof gc; -h lists them]
# Compiles ollamaflow-core's test sources (where the *Benchmark classes live, next to the internals
# they measure: route classification, Host to frontend, the balancers' pick, model sniffing), then
# runs org.openjdk.jmh.Main on them and prints JMH's table in ns/op. Short defaults, about 10 s per
# benchmark: -f 1 -wi 3 -w 1s -i 5 -r 1s; each one given on the command line replaces its default.
# SKIP_BUILD=1 reuses the last build; MVN_OFFLINE=1 runs Maven offline.
set -euo pipefail
cd "$(dirname "$0")/.."

# The benchmark JVM (and the server it starts, and JMH's forks).
. bench/java.sh

CORE=ollamaflow-core
CLASSPATH_FILE="$CORE/target/jmh-classpath.txt"
if [ "${SKIP_BUILD:-}" != "1" ] || [ ! -f "$CLASSPATH_FILE" ]; then
  echo "[jmh] building: mvn -B -q -pl $CORE -am test-compile dependency:build-classpath" >&2
  # One invocation, so that the reactor resolves ollamaflow-api to its fresh classes, not an installed jar.
  mvn -B -q ${MVN_OFFLINE:+-o} -pl "$CORE" -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh-classpath.txt
fi

ARGS=("$@")
given() {
  local a
  for a in "${ARGS[@]+"${ARGS[@]}"}"; do [ "$a" = "$1" ] && return 0; done
  return 1
}
DEFAULTS=()
for pair in "-f 1" "-wi 3" "-w 1s" "-i 5" "-r 1s"; do
  # shellcheck disable=SC2086
  set -- $pair
  given "$1" || DEFAULTS+=("$1" "$2")
done

exec "$JAVA" -cp "$CORE/target/test-classes:$CORE/target/classes:$(cat "$CLASSPATH_FILE")" \
  org.openjdk.jmh.Main "${DEFAULTS[@]}" "${ARGS[@]+"${ARGS[@]}"}"
