#!/usr/bin/env bash
# Issue 18's attack suite, one command from a fresh clone:
#   bash bench/attack.sh [--seconds N] [--attacks 1,1L,6,7] [--java PATH]
# Builds the server jar with Maven, then runs io.ollamaflow.examples.bench.AttackSuite: two
# simulated Ollamas, the standalone server in its own JVM, and each attack in turn while a
# well-behaved client keeps sending requests; prints a markdown table of what it measured.
# Everything runs on loopback (attackers on 127.0.0.2 and up) and every phase is bounded in time.
# SKIP_BUILD=1 reuses the last build; MVN_OFFLINE=1 runs Maven offline. SUITE_JVM_ARGS adds flags to
# the suite's own JVM (where the simulated backends run), e.g. -Xlog:gc:file=suite-gc.log; the
# server's JVM takes them from --server-jvm-arg.
set -euo pipefail
cd "$(dirname "$0")/.."

# The suite's JVM and, unless --java is given, the server's.
. bench/java.sh

if [ "${SKIP_BUILD:-}" != "1" ]; then
  echo "[attack] building: mvn -B -q -pl ollamaflow-examples -am package -DskipTests" >&2
  mvn -B -q ${MVN_OFFLINE:+-o} -pl ollamaflow-examples -am package -DskipTests
fi

# Attack 6 holds thousands of sockets on both sides.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

HAS_JAVA=0
for a in "$@"; do [ "$a" = "--java" ] && HAS_JAVA=1; done
EXTRA=()
if [ "$HAS_JAVA" = "0" ]; then EXTRA+=(--java "$JAVA"); fi

# The simulated backends run in the suite's JVM on virtual threads, which are not time-sliced: with
# one carrier per core, backends streaming 100,000 tokens as fast as they can (attack 7) starve the
# others, and the well-behaved client's requests wait on the simulator, not on the proxy.
exec "$JAVA" -Xmx1g ${SUITE_JVM_ARGS:-} -Djdk.virtualThreadScheduler.parallelism=16 -cp ollamaflow-examples/target/ollamaflow-server.jar \
  io.ollamaflow.examples.bench.AttackSuite "${EXTRA[@]}" "$@"
