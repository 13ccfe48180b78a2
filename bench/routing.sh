#!/usr/bin/env bash
# The routing benchmark of issues 4 and 13, one command from a fresh clone:
#   bash bench/routing.sh [requests]     (default 160 per run; about 2 minutes on 2 cores)
# JAVA_OPTS="-Drouting.scenarios=B -Drouting.slowest=30" runs scenario B only and lists the 30 slowest
# requests of each run (see ModelRoutingBenchmark).
# Builds the server jar with Maven (SKIP_BUILD=1 skips it), then runs
# io.ollamaflow.examples.bench.ModelRoutingBenchmark, which prints markdown tables and writes them to
# ollamaflow-examples/target/model-routing-benchmark.md. Everything runs on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/java.sh

if [ "${SKIP_BUILD:-}" != "1" ]; then
  echo "[routing] building: mvn -B -q -pl ollamaflow-examples -am package -DskipTests" >&2
  mvn -B -q ${MVN_OFFLINE:+-o} -pl ollamaflow-examples -am package -DskipTests
fi

exec "$JAVA" -Xmx1g ${JAVA_OPTS:-} -cp ollamaflow-examples/target/ollamaflow-server.jar \
  io.ollamaflow.examples.bench.ModelRoutingBenchmark "$@"
