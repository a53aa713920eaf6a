#!/usr/bin/env bash
# The contextvars4j demo (docs/demo.md): builds the demo service, starts it with its embedded
# database, runs the checked load and prints the report. Options go to the demo:
#   ./demo.sh [--requests N] [--concurrency N] [--users N] [--naive] [--serve] [--out DIR]
# Extra Maven flags go in MAVEN_ARGS (for example MAVEN_ARGS=-Dmaven.repo.local=/tmp/m2).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck disable=SC2086
mvn -B -ntp -q ${MAVEN_ARGS:-} -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -pl contextvars4j-demo -am package
exec java -jar contextvars4j-demo/target/contextvars4j-demo.jar --out contextvars4j-demo/target/demo-report "$@"
