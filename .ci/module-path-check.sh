#!/usr/bin/env bash
# Module-path check: every published jar works as a JPMS module for a consumer.
#
# For each published module (a module folder whose pom does not skip deployment), this builds the
# jars, reads the jar's module name (module-info or Automatic-Module-Name), writes a tiny consumer
# module that `requires` it, compiles the consumer against the jar and its runtime dependencies on
# the module path, and runs it there, so that the module graph resolves as a user's would.
#
#   .ci/module-path-check.sh           # uses the java, javac and mvn on PATH
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mvn -B -ntp -q install -DskipTests >/dev/null

checked=0
for pom in contextvars4j-*/pom.xml; do
  module_dir=$(dirname "$pom")
  grep -q '<packaging>pom</packaging>' "$pom" && continue
  grep -q '<maven.deploy.skip>true</maven.deploy.skip>' "$pom" && continue
  jar=$(ls "$module_dir"/target/"$module_dir"-*.jar | grep -vE -- '-(sources|javadoc|tests)\.jar$' | head -n 1)
  # an automatic module (Automatic-Module-Name) is described after a line saying it has no descriptor
  name=$(jar --describe-module --file "$jar" | grep -v -e '^No module descriptor' -e '^$' | head -n 1 | sed -E 's/[@ ].*//')
  if [ -z "$name" ]; then
    echo "module-path: $jar has no module name" >&2
    exit 1
  fi
  # runtime dependencies of the module (provided and optional ones are the consumer's choice)
  mvn -B -ntp -q -f "$pom" dependency:build-classpath \
      -Dmdep.includeScope=runtime -Dmdep.outputFile="$work/$module_dir.cp" >/dev/null
  deps=$(tr ':' '\n' < "$work/$module_dir.cp" | grep -v '^$' | tr '\n' ':' || true)

  src="$work/$module_dir/src"
  mkdir -p "$src/consumer"
  printf 'module consumer {\n    requires %s;\n}\n' "$name" > "$src/module-info.java"
  cat > "$src/consumer/Main.java" <<'JAVA'
package consumer;

public final class Main {
    public static void main(String[] args) {
        String name = args[0];
        Module m = ModuleLayer.boot().findModule(name)
                .orElseThrow(() -> new AssertionError("module not resolved: " + name));
        if (!m.getDescriptor().exports().isEmpty() || m.getDescriptor().isAutomatic()) {
            System.out.println("module-path: " + name + " resolved, exports "
                    + m.getDescriptor().exports().size() + " package(s)");
        } else {
            throw new AssertionError(name + " exports nothing");
        }
    }
}
JAVA
  javac -d "$work/$module_dir/classes" --module-path "$jar:$deps" $(find "$src" -name '*.java')
  java --module-path "$work/$module_dir/classes:$jar:$deps" -m consumer/consumer.Main "$name"
  checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || { echo "module-path: no published module found" >&2; exit 1; }
echo "module-path: $checked published jar(s) resolved as modules"
