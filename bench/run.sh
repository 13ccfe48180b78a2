#!/usr/bin/env bash
# The overhead benchmark of issue 8, one command from a fresh clone:
#   bash bench/run.sh [--quick] [--no-saturation] [--streams 1000,9000] [--seconds N] ...
# Builds with Maven, installs nginx from Debian packages when it is absent, then runs
# io.ollamaflow.examples.bench.OverheadBenchmark, which prints a markdown table and writes it to
# bench/results/latest.md. Everything runs on 127.0.0.1 and every phase is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."

# The benchmark JVM (and the server it starts, and JMH's forks).
. bench/java.sh
EXTRA=()
# A JDK 17 for the open-streams row "ollamaflow on JDK 17", when one is installed.
for j in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-17-jdk-amd64; do
  if [ -x "$j/bin/java" ] && [ "$j/bin/java" != "$JAVA" ]; then EXTRA+=(--jdk17 "$j/bin/java"); break; fi
done

if [ "${SKIP_BUILD:-}" != "1" ]; then
  echo "[bench] building: mvn -B -q install -DskipTests" >&2
  mvn -B -q ${MVN_OFFLINE:+-o} install -DskipTests
fi

NGINX=""
for n in /usr/sbin/nginx /usr/bin/nginx "$(command -v nginx 2>/dev/null || true)"; do
  if [ -n "$n" ] && [ -x "$n" ]; then NGINX="$n"; break; fi
done
if [ -z "$NGINX" ]; then
  echo "[bench] nginx not found: installing nginx-light from Debian packages" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo -n"; fi
  if ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light) >&2 \
      || (DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx) >&2; then
    NGINX=/usr/sbin/nginx
  else
    echo "[bench] WARNING: could not install nginx (needs root or sudo and the Debian archive);" \
         "the nginx rows will be missing from the table." >&2
  fi
fi
if [ -n "$NGINX" ]; then EXTRA+=(--nginx "$NGINX"); fi

# nginx holds two descriptors per open stream; the proxy too.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec "$JAVA" -Xmx2g -cp ollamaflow-examples/target/ollamaflow-server.jar \
  io.ollamaflow.examples.bench.OverheadBenchmark "${EXTRA[@]}" "$@"
