#!/bin/sh
# Cygwin port, part A, tested on Linux: the EventNotifier choices, the
# qemu_ram_mmap() no-overlay fallback and the wait-object bridge.
#
# usage: run.sh QEMU_TREE BUILD_ROOT
#
# For each event notifier implementation (eventfd, pipe, socketpair) this
# configures a minimal out-of-tree build in BUILD_ROOT/build-<choice>
# (reused if already configured for that choice), builds only the unit
# tests below and runs them (scripts/build-notifier-variant.sh configures
# and builds; bench/build.sh makes the same builds with it).  One line per
# case, then "N passed, M failed"; the exit status is non-zero if anything
# failed.
#
# Environment: VARIANTS (default: all, "eventfd pipe socketpair"), JOBS (2)
# and PYTHON (/usr/bin/python3, must have meson) for the builds,
# TEST_TIMEOUT (300 s).
set -u

usage() {
    echo "usage: $0 QEMU_TREE BUILD_ROOT" >&2
    exit 2
}
[ $# -eq 2 ] || usage
tree=$(cd "$1" 2>/dev/null && pwd) || usage
[ -x "$tree/configure" ] || { echo "$tree: no QEMU configure" >&2; exit 2; }
mkdir -p "$2" && root=$(cd "$2" && pwd) || exit 2

variant=$(cd "$(dirname "$0")/../.." && pwd)/scripts/build-notifier-variant.sh
VARIANTS=${VARIANTS:-$("$variant" kinds)}
TEST_TIMEOUT=${TEST_TIMEOUT:-300}

# Main loop and AIO tests whose wakeups go through EventNotifier, plus the
# new ones.  test-wait-bridge also uses an EventNotifier, so it runs in
# every variant; test-mmap-alloc does not, so it runs once.
NOTIFIER_TESTS='test-event-notifier test-wait-bridge test-aio
test-aio-multithread test-thread-pool test-bdrv-drain test-block-iothread
test-nested-aio-poll'
ONCE_TESTS='test-mmap-alloc'

. "$(dirname "$0")/../testlib.sh"
now() {
    date +%s
}

# run_test VARIANT BUILD_DIR TEST
run_test() {
    v=$1 b=$2 t=$3
    log=$b/tests/unit/$t.log
    t_start=$(now)
    # --tap -k: report every subtest and keep going after a failure
    (cd "$b/tests/unit" &&
     G_TEST_SRCDIR=$tree/tests/unit G_TEST_BUILDDIR=$b/tests/unit \
     timeout "$TEST_TIMEOUT" "./$t" --tap -k) >"$log" 2>&1
    status=$?
    secs=$(($(now) - t_start))
    total=$(grep -c '^ok ' "$log")
    bad=$(grep -c '^not ok ' "$log")
    if [ "$status" = 0 ] && [ "$bad" = 0 ] && [ "$total" -gt 0 ]; then
        pass "$v/$t ($total subtests, ${secs}s)"
    else
        [ "$status" = 124 ] && why="timed out after ${TEST_TIMEOUT}s" ||
            why="exit status $status"
        fail "$v/$t" "$why, $bad failed subtest(s); log $log:
$(grep -E '^not ok|ERROR|Bail out' "$log" | head -n 5)"
    fi
}

t0=$(now)
for v in $VARIANTS; do
    b=$root/build-$v
    macro=CONFIG_EVENT_NOTIFIER_$(echo "$v" | tr '[:lower:]' '[:upper:]')

    # Configures unless the directory already has this choice
    start=$(now)
    if ! "$variant" configure "$tree" "$b" "$v" \
             >"$root/configure-$v.log" 2>&1; then
        fail "$v/configure" "see $root/configure-$v.log:
$(tail -n 5 "$root/configure-$v.log")"
        continue
    fi
    echo "# $v: configure $(($(now) - start))s" >&2
    if grep -qs "^#define $macro\$" "$b/config-host.h"; then
        pass "$v/configure (event notifier: $v)"
    else
        fail "$v/configure" "$macro missing from $b/config-host.h"
        continue
    fi

    tests=$NOTIFIER_TESTS
    if [ "$v" = "$(echo $VARIANTS | cut -d' ' -f1)" ]; then
        tests="$tests $ONCE_TESTS"
    fi
    start=$(now)
    # shellcheck disable=SC2086
    if ! "$variant" build "$b" $tests >"$root/build-$v.log" 2>&1; then
        fail "$v/build" "see $root/build-$v.log:
$(grep -E 'error|FAILED' "$root/build-$v.log" | head -n 5)"
        continue
    fi
    pass "$v/build"
    echo "# $v: build $(($(now) - start))s" >&2

    start=$(now)
    for t in $tests; do
        run_test "$v" "$b" "$t"
    done
    echo "# $v: tests $(($(now) - start))s" >&2
done
echo "# total $(($(now) - t0))s" >&2

finish
