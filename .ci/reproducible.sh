#!/usr/bin/env bash
# Reproducible-build check: builds every module twice from clean and compares each jar (classes,
# sources, javadoc, the benchmarks' shaded jar) byte for byte. Exits non-zero on any difference.
#
#   .ci/reproducible.sh            # uses the java and mvn on PATH
#
# Both builds run on the same JDK: the manifest records the JDK's feature version
# (Build-Jdk-Spec), so jars built by JDK 17 and by JDK 25 differ by design.
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

build() {  # $1: where to keep the jars of this build
  mvn -B -ntp -q clean package -DskipTests
  mkdir -p "$1"
  find . -path ./.git -prune -o -path '*/target/*.jar' -print | sort | while read -r jar; do
    cp "$jar" "$1/$(echo "${jar#./}" | tr / _)"
  done
}

build "$out/first"
build "$out/second"

count=$(ls "$out/first" | wc -l)
if [ "$count" -eq 0 ]; then
  echo "reproducible: no jars were built" >&2
  exit 1
fi
different=0
for jar in "$out/first"/*; do
  name=$(basename "$jar")
  if ! cmp -s "$jar" "$out/second/$name"; then
    echo "reproducible: $name differs between two builds" >&2
    different=1
  fi
done
[ "$(ls "$out/second" | wc -l)" -eq "$count" ] || { echo "reproducible: the two builds made different jar sets" >&2; different=1; }
if [ "$different" -ne 0 ]; then
  exit 1
fi
echo "reproducible: $count jars byte-identical across two clean builds"
