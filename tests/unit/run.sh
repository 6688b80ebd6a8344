#!/bin/sh
# QEMU's own unit tests (meson suite "unit") for one or more build
# directories, e.g. the x86_64 build and the 32-bit i386 one, whose
# unit tests meet the 32-bit system call ABI.  Tests in
# UNIT_TESTS_EXCLUDED below are left out, each with the reason.
set -u
[ $# -gt 0 ] || { echo "usage: run.sh BUILD_DIR..." >&2; exit 2; }

# name: reason   (none so far)
UNIT_TESTS_EXCLUDED=''

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# count LABEL: the number on meson test's summary line LABEL, 0 if none.
count() { sed -n "s/^$1: *\([0-9]*\).*/\1/p" "$log" | grep . || echo 0; }

. "$(dirname "$0")/../testlib.sh"   # host_runs_i386
passed=0 bad=0 skipped=0
for build in "$@"; do
    echo "== $build"
    [ -f "$build/build.ninja" ] || {
        echo "no build in $build" >&2; bad=$((bad + 1)); continue; }
    # An i386 build's tests are i386 programs: they need the kernel's
    # ia32 support (under another emulator they would meet its ABI).
    if file -b "$build/qemu-i386" 2>/dev/null | grep -q 'Intel 80386' &&
       ! host_runs_i386; then
        echo "SKIP unit tests of $build: $host_i386_reason"
        skipped=$((skipped + 1))
        continue
    fi
    list=$("$build/pyvenv/bin/meson" test -C "$build" --suite unit --list 2>/dev/null |
           sed 's/^.* \/ //' | grep -v -x -F "$(printf '%s\n' $UNIT_TESTS_EXCLUDED | sed -n 's/:$//p')")
    [ -n "$list" ] || {
        echo "no unit tests found in $build" >&2; bad=$((bad + 1)); continue; }
    # shellcheck disable=SC2086
    "$build/pyvenv/bin/meson" test -C "$build" --no-rebuild --num-processes 2 \
        --print-errorlogs $list 2>&1 | tee "$log"
    if ! grep -q '^Ok:' "$log"; then
        echo "meson test printed no summary for $build"
        bad=$((bad + 1))
        continue
    fi
    passed=$((passed + $(count Ok) + $(count 'Expected Fail')))
    bad=$((bad + $(count Fail) + $(count 'Unexpected Pass') + $(count Timeout)))
    skipped=$((skipped + $(count Skipped)))
done
printf '%s passed, %s failed, %s skipped\n' "$passed" "$bad" "$skipped"
[ "$bad" = 0 ]
