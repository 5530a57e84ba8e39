#!/usr/bin/env bash
# Runs Wharf's JMH benchmarks (bench/target/wharf-benchmarks.jar), building the jar first when it is
# missing or older than the benchmark sources. Every argument goes to JMH, except:
#   --quick    short iterations with the allocation profiler: -wi 1 -i 1 -w 200ms -r 200ms -f 1 -prof gc
#   --rebuild  build the jar even when it looks current (e.g. after changing dataplane)
# Examples:
#   bench/run-jmh.sh BridgePathBenchmark -prof gc      # the bridge fast path, full settings
#   bench/run-jmh.sh --quick                           # every benchmark, a quick pass
#   bench/run-jmh.sh -l                                # list the benchmarks
# The JDK (>= 21) is found as the launcher finds it: JAVA_HOME, then PATH, then /usr/lib/jvm/*.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root_dir="$(dirname "$bench_dir")"
jar="$bench_dir/target/wharf-benchmarks.jar"
min_java=21

java_major()
{
    local version
    version="$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
    case "$version" in
        1.*) echo "${version#1.}" | cut -d. -f1 ;;
        '') echo 0 ;;
        *) echo "$version" | cut -d. -f1 ;;
    esac
}

find_java()
{
    local candidate
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && "$(java_major "$JAVA_HOME/bin/java")" -ge $min_java ]]; then
        echo "$JAVA_HOME/bin/java"
        return 0
    fi
    if candidate="$(command -v java 2>/dev/null)" && [[ "$(java_major "$candidate")" -ge $min_java ]]; then
        echo "$candidate"
        return 0
    fi
    # the newest JDK under /usr/lib/jvm that is recent enough
    local best="" best_major=0 major
    for candidate in /usr/lib/jvm/*/bin/java; do
        [[ -x "$candidate" ]] || continue
        major="$(java_major "$candidate")"
        if [[ "$major" -ge $min_java && "$major" -gt $best_major ]]; then
            best="$candidate"
            best_major=$major
        fi
    done
    if [[ -n "$best" ]]; then
        echo "$best"
        return 0
    fi
    return 1
}

quick=0
rebuild=0
args=()
for arg in "$@"; do
    case "$arg" in
        --quick) quick=1 ;;
        --rebuild) rebuild=1 ;;
        *) args+=("$arg") ;;
    esac
done

if ! java="$(find_java)"; then
    echo "run-jmh.sh: no JDK >= $min_java found (set JAVA_HOME, put one on PATH, or install one under /usr/lib/jvm)" >&2
    exit 1
fi

if [[ $rebuild -eq 1 || ! -f "$jar" || -n "$(find "$bench_dir/src" "$bench_dir/pom.xml" -newer "$jar" -print -quit)" ]]; then
    echo "run-jmh.sh: building $jar" >&2
    (cd "$root_dir" && mvn -B -q -DskipTests -pl bench -am package)
fi

jmh_args=()
if [[ $quick -eq 1 ]]; then
    jmh_args+=(-wi 1 -i 1 -w 200ms -r 200ms -f 1 -prof gc)
fi

# ${args[@]+...}: bash < 4.4 treats an empty array as unset under set -u
exec "$java" -jar "$jar" "${jmh_args[@]+"${jmh_args[@]}"}" "${args[@]+"${args[@]}"}"
