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
  # a jar with an Automatic-Module-Name (Spring Boot's modules cannot have a module-info) first
  # prints "No module descriptor found. Derived automatic module." and an empty line
  name=$(jar --describe-module --file "$jar" | grep -v -e '^No module descriptor' -e '^$' | head -n 1 | sed -E 's/[@ ].*//')
  if [ -z "$name" ]; then
    echo "module-path: $jar has no module name" >&2
    exit 1
  fi
  # runtime and provided dependencies of the module (a module may require what its container
  # provides), never its test ones. The plugin's property is includeScope: with
  # mdep.includeScope it ignored the setting and listed the test jars too.
  for scope in runtime provided; do
    mvn -B -ntp -q -f "$pom" dependency:build-classpath \
        -DincludeScope=$scope -Dmdep.outputFile="$work/$module_dir.$scope.cp" >/dev/null
  done
  deps=$(cat "$work/$module_dir.runtime.cp" <(echo) "$work/$module_dir.provided.cp" | tr ':' '\n' | grep -v '^$' | sort -u | tr '\n' ':' || true)

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
