# Shared by scripts/spark-standalone.sh and scripts/bench/synth_throughput (source it; bash only).
# Builds synth-data, lays out a Spark home whose jars/ links every jar of its classpath (Spark's own classes from the
# local Maven repository, plus fspo-core and synth-data), and starts/stops a standalone cluster on loopback:
# a Master and N Workers, each Worker launching executors in JVMs of their own.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=${WORK:-$ROOT/target/spark-standalone}
MASTER_PORT=${MASTER_PORT:-7077}
# Spark 4 on Java 17 needs these opens; spark-submit adds them itself, a plain `java` does not.
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
--add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED \
--add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
export SPARK_HOME="$WORK/spark-home" SPARK_SCALA_VERSION=2.13
# Everything here is on loopback: executors and drivers bind to 127.0.0.1, not the host's first interface.
export SPARK_LOCAL_IP=127.0.0.1
PIDS=()

# build_spark_home: mvn install (offline first), then SPARK_HOME/jars with one link per classpath jar.
build_spark_home() {
  (cd "$ROOT" && { mvn -B -o -q -pl synth-data -am install -DskipTests || mvn -B -q -pl synth-data -am install -DskipTests; } \
    && mvn -B -o -q -pl synth-data test-compile dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt") >/dev/null
  rm -rf "$SPARK_HOME" && mkdir -p "$SPARK_HOME/jars" "$SPARK_HOME/conf"
  tr ':' '\n' < "$WORK/classpath.txt" | grep '\.jar$' | grep -v -e junit -e opentest4j -e apiguardian \
    | while read -r jar; do ln -sf "$jar" "$SPARK_HOME/jars/"; done
  ln -sf "$ROOT"/fspo-core/target/fspo-core-*.jar "$ROOT"/synth-data/target/synth-data-*.jar "$SPARK_HOME/jars/"
  (cd "$ROOT/synth-data/target/test-classes" && jar cf "$SPARK_HOME/jars/synth-data-bench.jar" org)
  cat > "$SPARK_HOME/conf/fspo-log4j2.properties" <<'PROPS'
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
PROPS
  # Master and Workers log their deploy events at INFO: start_cluster waits for them.
  sed 's/^rootLogger.level = warn/rootLogger.level = info/' "$SPARK_HOME/conf/fspo-log4j2.properties" \
    > "$SPARK_HOME/conf/fspo-log4j2-daemon.properties"
}

spark_java() { java $OPENS -Dlog4j2.configurationFile="$SPARK_HOME/conf/fspo-log4j2.properties" -cp "$SPARK_HOME/jars/*" "$@"; }
# bg_java LOG CONFIG ARGS...: a JVM in the background, its pid (the JVM's own: exec) recorded for stop_cluster.
bg_java() {
  local log=$1 config=$2; shift 2
  ( exec java $OPENS -Dlog4j2.configurationFile="$SPARK_HOME/conf/$config" -cp "$SPARK_HOME/jars/*" "$@" ) >"$log" 2>&1 &
  PIDS+=($!)
}

# start_cluster N: a Master on 127.0.0.1:$MASTER_PORT and N Workers of 1 core and 1 GiB each.
start_cluster() {
  local workers=$1
  mkdir -p "$WORK/logs"
  if (exec 3<>"/dev/tcp/127.0.0.1/$MASTER_PORT") 2>/dev/null; then
    echo "port $MASTER_PORT is taken (another cluster?); set MASTER_PORT" >&2; return 1
  fi
  bg_java "$WORK/logs/master.log" fspo-log4j2-daemon.properties -Xmx512m org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$MASTER_PORT" --webui-port 0
  for _ in $(seq 1 60); do grep -q "I have been elected leader" "$WORK/logs/master.log" && break; sleep 1; done
  grep -q "I have been elected leader" "$WORK/logs/master.log" || { echo "master did not start" >&2; cat "$WORK/logs/master.log" >&2; return 1; }
  for i in $(seq 1 "$workers"); do
    rm -rf "$WORK/worker$i" && mkdir -p "$WORK/worker$i"
    SPARK_WORKER_DIR="$WORK/worker$i" bg_java "$WORK/logs/worker$i.log" fspo-log4j2-daemon.properties -Xmx512m \
      org.apache.spark.deploy.worker.Worker "spark://127.0.0.1:$MASTER_PORT" --host 127.0.0.1 --cores 1 \
      --memory 1g --webui-port 0 --work-dir "$WORK/worker$i"
  done
  for _ in $(seq 1 120); do
    [ "$(cat "$WORK"/logs/worker*.log | grep -c "Successfully registered with master")" -ge "$workers" ] && return 0
    sleep 1
  done
  echo "workers did not register" >&2; return 1
}

stop_cluster() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  PIDS=()
}

# driver CLASS ARGS...: runs a driver JVM against the cluster (client mode, executors on the workers).
driver() {
  spark_java -Xmx1g -Dspark.master="spark://127.0.0.1:$MASTER_PORT" -Dspark.driver.host=127.0.0.1 \
    -Dspark.executor.memory=768m -Dspark.executor.cores=1 -Dspark.ui.enabled=false "$@"
}
