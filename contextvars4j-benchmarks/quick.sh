#!/usr/bin/env bash
# Quick profile: a reduced JMH matrix (key rows only, one short fork each, -prof gc) that runs in
# under about 8 minutes on 2 cores, then a Markdown table of ratios (ours against the ThreadLocal
# equivalent and against the best peer of each row) and a check of the SPEC section 6 targets.
#
#   contextvars4j-benchmarks/quick.sh                     # the JDK of JAVA_HOME, else java on PATH
#   JAVA_HOME=/path/to/jdk-25 contextvars4j-benchmarks/quick.sh
#
# Builds the benchmarks jar first when it is missing, older than a source file, or was built by
# another JDK. Results go to contextvars4j-benchmarks/target/quick/ (*.json, table.md).
# QUICK_JMH overrides the run options (default below); QUICK_SKIP_BUILD=1 skips the build check.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar="$here/target/benchmarks.jar"
out="$here/target/quick"
opts=${QUICK_JMH:--f 1 -wi 3 -w 500ms -i 5 -r 500ms -prof gc -foe true}

feature="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ -n "$feature" ] || { echo "quick.sh: cannot run $java" >&2; exit 1; }
stamp="$here/target/benchmarks.jar.jdk"

if [ "${QUICK_SKIP_BUILD:-0}" != 1 ]; then
    if [ ! -f "$jar" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$feature" ] \
            || [ -n "$(find "$here/src" "$here/pom.xml" "$root/contextvars4j-core/src/main" "$root/pom.xml" \
                        -newer "$jar" -type f 2>/dev/null | head -n 1)" ]; then
        echo "quick.sh: building benchmarks.jar with JDK $feature" >&2
        (cd "$root" && mvn -q -B -pl contextvars4j-benchmarks -am package -DskipTests)
        echo "$feature" > "$stamp"
    fi
fi

mkdir -p "$out"
rm -f "$out"/*.json
results=()

# run LABEL NAME JMH-ARGS...: one JMH invocation, results in $out/NAME.json
run() {
    local label="$1" name="$2"
    shift 2
    echo "quick.sh: $name ($label)" >&2
    # shellcheck disable=SC2086
    "$java" "${jvm_props[@]}" -jar "$jar" "$@" $opts -rf json -rff "$out/$name.json" > "$out/$name.log" 2>&1 \
        || { echo "quick.sh: $name failed, see $out/$name.log" >&2; exit 1; }
    results+=("$label=$out/$name.json")
}

jvm_props=()
run platform read 'ReadBenchmark\.(first_(ours|threadLocal|ttl|fastThreadLocal|otel|grpc)|last_(ours|threadLocal|otel|grpc))$' \
    -p nVars=1,1000
run platform write 'WriteBenchmark\.(setReset_(ours|threadLocal|ttl|otel|grpc)|nested3_(ours|threadLocal|otel))$'
run platform capture 'CaptureBenchmark\.capture_' -p nVars=10,1000
run platform run 'CaptureBenchmark\.runNoop_(ours|otel|grpc)$' -p nVars=10
run platform handoff 'HandOffBenchmark\.(wrapRun|hop|chain5)_' -p pool=tpe
run platform map 'MapShapeBenchmark\.(get|set)_' -p size=1,1000

if [ "$feature" -ge 21 ]; then
    jvm_props=(-Djmh.executor=CUSTOM -Djmh.executor.class=org.contextvars4j.benchmarks.VirtualThreadExecutor)
    run virtual read-virtual 'ReadBenchmark\.(first|last)_(ours|threadLocal)$' -p nVars=1,1000
    jvm_props=()
fi
if [ "$feature" -ge 25 ]; then
    run platform scoped 'ScopedValueBenchmark\.'
fi

{
    echo "## Quick profile: $(date -u '+%Y-%m-%d %H:%M UTC'), JDK $("$java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java.runtime.version = //p'), $(nproc) cores"
    echo
    echo "JMH options: \`$opts\`; scores are medians of the measured iterations."
    echo
    python3 "$here/ratios.py" "${results[@]}"
} | tee "$out/table.md"
