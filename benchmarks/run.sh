#!/usr/bin/env bash
# Runs the benchmark suite, keeps JMH's raw results as JSON and regenerates the tables in
# docs/benchmarks.md.
#
#   benchmarks/run.sh                 # full run (about 20 minutes on 2 cores): results/latest.json -> docs/benchmarks.md
#   benchmarks/run.sh --quick         # seconds per benchmark, to see that everything runs: results/quick/ (report.md)
#   benchmarks/run.sh --no-build ...  # skip the Maven build
#   benchmarks/run.sh --js ...        # also the 12 MB JavaScript component's start and calls (about 6 minutes more)
#   benchmarks/run.sh -- 'Pricing.*'  # anything after -- goes to JMH (a benchmark regex, -prof gc, ...);
#                                     # without a regex every benchmark in the jar runs
#
# Needs JDK 17 and Maven 3.8 (the build runs offline, -o, when ~/.m2 already holds the artifacts;
# set MVN_FLAGS= to let it download). Only standard tools besides: bash, date, nproc, lscpu, awk.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
build=1
js=0
jmh_extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --js) js=1 ;;
    --) shift; jmh_extra=("$@"); break ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 64 ;;
  esac
  shift
done

MVN_FLAGS=${MVN_FLAGS--o}
JAVA=${JAVA:-java}
jar=benchmarks/target/benchmarks.jar

if [ "$build" = 1 ]; then
  # shellcheck disable=SC2086
  mvn -q $MVN_FLAGS -pl benchmarks -am package -DskipTests
fi

if [ "$quick" = 1 ]; then
  results=benchmarks/results/quick   # never mixed with the full run's files
  json=$results/quick.json
  doc=$results/report.md
  jmh_args=(-f 0 -wi 0 -i 1 -r 200ms)
  probes=1
  mode="quick (not for judging speed: no forks, no warm-up)"
else
  results=benchmarks/results
  json=$results/latest.json
  doc=docs/benchmarks.md
  jmh_args=()   # the annotations: 1 fork, 5 x 1 s warm-up, 3 x 1 s measurement; cold start 5 forks x 1 shot
  probes=5
  mode="full"
fi

mkdir -p "$results"

other_java() { ps -eo args= | grep -c '^[^ ]*java ' || true; }
env_file=$results/env.properties
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "mode=$mode"
  echo "nproc=$(nproc)"
  echo "cpu=$(lscpu | awk -F: '/Model name/ {gsub(/^[ \t]+/, "", $2); print $2; exit}')"
  echo "memory=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "os=$( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null || uname -sr), kernel $(uname -r)"
  echo "jdk=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.vm.name|java.runtime.version/ {printf "%s ", $2}')"
  echo "jmhArgs=${jmh_args[*]:-} ${jmh_extra[*]:-}"
  echo "loadBefore=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "javaBefore=$(other_java)"
} > "$env_file"

echo "== JMH ($mode) -> $json"
"$JAVA" -jar "$jar" "${jmh_args[@]}" -rf json -rff "$json" "${jmh_extra[@]}"

echo "== fuel overhead, paired and interleaved (each workload in $probes fresh JVMs) -> $results/fuel-paired.txt"
: > "$results/fuel-paired.txt"
if [ "$quick" = 1 ]; then
  "$JAVA" -cp "$jar" dev.graft.benchmarks.FuelOverheadProbe 3 20 all 1 | tee -a "$results/fuel-paired.txt"
else
  for workload in tightLoop recursiveFib32 recursiveFib typedJsonCall typedPricingCall fractalTree; do
    for _ in $(seq "$probes"); do
      "$JAVA" -cp "$jar" dev.graft.benchmarks.FuelOverheadProbe 41 50 "$workload" | tee -a "$results/fuel-paired.txt"
    done
  done
fi

echo "== start-up probes ($probes fresh JVMs each)"
startup=$results/startup.txt
: > "$startup"
for _ in $(seq "$probes"); do
  "$JAVA" -Dgraft.launchedAtMs="$(date +%s%3N)" -cp "$jar" dev.graft.benchmarks.StartupProbe probe | tee -a "$startup"
done
for _ in $(seq "$probes"); do
  "$JAVA" -cp "$jar" dev.graft.benchmarks.StartupProbe phases | tee -a "$startup"
done
cache_dir=$(mktemp -d -t graft-bench-cache.XXXXXX)
trap 'rm -rf "$cache_dir"' EXIT
"$JAVA" -cp "$jar" dev.graft.benchmarks.StartupProbe fill "$cache_dir"
for _ in $(seq "$probes"); do
  "$JAVA" -Dgraft.launchedAtMs="$(date +%s%3N)" -cp "$jar" dev.graft.benchmarks.StartupProbe probe "$cache_dir" | tee -a "$startup"
done
# The classpath compile cache (entries written by another JVM into a folder put on a class loader's path).
classpath_dir=$(mktemp -d -t graft-bench-classpath.XXXXXX)
trap 'rm -rf "$cache_dir" "$classpath_dir"' EXIT
"$JAVA" -cp "$jar" dev.graft.benchmarks.StartupProbe fill-classpath "$classpath_dir"
for _ in $(seq "$probes"); do
  "$JAVA" -Dgraft.launchedAtMs="$(date +%s%3N)" -cp "$jar" dev.graft.benchmarks.StartupProbe probe-classpath "$classpath_dir" | tee -a "$startup"
done

echo "== issue 15 paired probes: fresh vs pooled, first call tiered vs compiled, Graft's layer, classpath cache -> $results/issue15-paired.txt"
if [ "$quick" = 1 ]; then
  "$JAVA" -cp "$jar" dev.graft.benchmarks.InstanceResetProbe 3 20 1 | tee "$results/issue15-paired.txt"
  "$JAVA" -cp "$jar" dev.graft.benchmarks.FirstCallProbe 3 1 | tee -a "$results/issue15-paired.txt"
  "$JAVA" -cp "$jar" dev.graft.benchmarks.GraftLayerProbe 3 20 1 | tee -a "$results/issue15-paired.txt"
  "$JAVA" -XX:-DontCompileHugeMethods -cp "$jar" dev.graft.benchmarks.ClasspathCacheProbe 3 1 | tee -a "$results/issue15-paired.txt"
else
  "$JAVA" -cp "$jar" dev.graft.benchmarks.InstanceResetProbe | tee "$results/issue15-paired.txt"
  "$JAVA" -cp "$jar" dev.graft.benchmarks.FirstCallProbe | tee -a "$results/issue15-paired.txt"
  "$JAVA" -cp "$jar" dev.graft.benchmarks.GraftLayerProbe | tee -a "$results/issue15-paired.txt"
  "$JAVA" -XX:-DontCompileHugeMethods -cp "$jar" dev.graft.benchmarks.ClasspathCacheProbe | tee -a "$results/issue15-paired.txt"
fi

echo "== issue 14 paired probes: component vs Extism call, canonical ABI vs JSON -> $results/issue14-components.txt"
if [ "$quick" = 1 ]; then
  "$JAVA" -cp "$jar" dev.graft.benchmarks.ComponentProbe call 3 20 1 | tee "$results/issue14-components.txt"
  "$JAVA" -cp "$jar" dev.graft.benchmarks.ComponentProbe abi 3 20 1 | tee -a "$results/issue14-components.txt"
else
  "$JAVA" -cp "$jar" dev.graft.benchmarks.ComponentProbe call | tee "$results/issue14-components.txt"
  "$JAVA" -cp "$jar" dev.graft.benchmarks.ComponentProbe abi | tee -a "$results/issue14-components.txt"
fi
if [ "$js" = 1 ]; then
  # The 12 MB JavaScript component: its classpath entry written once (about 2 minutes), then loads and calls.
  js_dir=$(mktemp -d -t graft-bench-js.XXXXXX)
  trap 'rm -rf "$cache_dir" "$classpath_dir" "$js_dir"' EXIT
  "$JAVA" -cp "$jar" dev.graft.benchmarks.ComponentProbe js-fill "$js_dir" | tee -a "$results/issue14-components.txt"
  "$JAVA" -cp "$jar" dev.graft.benchmarks.ComponentProbe js-tiered | tee -a "$results/issue14-components.txt"
  "$JAVA" -cp "$jar" dev.graft.benchmarks.ComponentProbe js-classpath "$js_dir" 60 5 | tee -a "$results/issue14-components.txt"
  "$JAVA" -XX:-DontCompileHugeMethods -cp "$jar" dev.graft.benchmarks.ComponentProbe js-classpath "$js_dir" 60 5 \
    | tee -a "$results/issue14-components.txt"
fi

{
  echo "loadAfter=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "javaAfter=$(other_java)"
} >> "$env_file"

"$JAVA" -cp "$jar" dev.graft.benchmarks.ReportWriter "$json" "$doc"
