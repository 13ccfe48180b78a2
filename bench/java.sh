# Sourced by the bench scripts: sets JAVA to the newest JDK present (21+ has virtual threads),
# else whatever java is on the PATH.
JAVA=java
for j in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 "${JAVA_HOME:-}"; do
  if [ -n "$j" ] && [ -x "$j/bin/java" ]; then JAVA="$j/bin/java"; break; fi
done
