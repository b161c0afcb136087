# Sourced by the benches that run fspo-eval's test-scope tools with a plain `java` (no Spark opens of its own).
# eval_test_classpath ROOT: compiles fspo-eval and its modules with their tests (offline) and sets `cp` to
# fspo-eval's classes, test classes and every dependency jar of test scope, relative to ROOT (cd there first).
eval_test_classpath() {
  local root=$1
  mvn -B -o -q -pl fspo-eval -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$root/fspo-eval/target/bench-classpath.txt"
  cp="fspo-eval/target/classes:fspo-eval/target/test-classes:$(cat "$root/fspo-eval/target/bench-classpath.txt")"
}
