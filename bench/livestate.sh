#!/usr/bin/env bash
# What sharing sticky sessions and counters in PostgreSQL costs per request (issue 17):
#   bash bench/livestate.sh [calls]      (default 5000 per measurement; about a minute on 2 cores)
# Compiles the examples' tests with Maven, then runs io.ollamaflow.examples.cluster.LiveStateCostBenchmark
# on the test class path. It starts a throwaway PostgreSQL with initdb + pg_ctl (Debian's postgresql
# package, as the tests do) on 127.0.0.1 and prints markdown tables of p50/p99 in microseconds.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/java.sh

mvn -B -q ${MVN_OFFLINE:+-o} -pl ollamaflow-examples -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >&2
CP="ollamaflow-examples/target/test-classes:ollamaflow-examples/target/classes:$(cat ollamaflow-examples/target/test-classpath.txt)"
exec "$JAVA" -Xmx512m ${JAVA_OPTS:-} -cp "$CP" io.ollamaflow.examples.cluster.LiveStateCostBenchmark "$@"
