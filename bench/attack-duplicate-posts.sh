#!/usr/bin/env bash
# Attack 2 of issue 18: backend POSTs per client POST with faulty backends, AllowRetries off and on.
#   bash bench/attack-duplicate-posts.sh [--requests N] [--server-classpath OTHER.jar]
# Builds the server jar (unless SKIP_BUILD=1), then runs io.ollamaflow.examples.bench.DuplicatePostAttack,
# which starts the standalone server as a child on 127.0.0.1 and prints a markdown table. Exits 1
# when a backend got a POST the server did not log as its own resend.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/java.sh
if [ "${SKIP_BUILD:-}" != "1" ]; then
  mvn -B -q ${MVN_OFFLINE:+-o} -pl ollamaflow-examples -am package -DskipTests
fi
exec "$JAVA" -cp ollamaflow-examples/target/ollamaflow-server.jar io.ollamaflow.examples.bench.DuplicatePostAttack "$@"
