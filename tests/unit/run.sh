#!/bin/sh
# QEMU's own unit tests (meson suite "unit") for one or more build
# directories, e.g. the x86_64 build and the 32-bit i386 one, whose
# unit tests meet the 32-bit system call ABI.  Tests in
# UNIT_TESTS_EXCLUDED below are left out, each with the reason.
# One TAP result per meson test (tests/testlib.sh), named "PROFILE: NAME"
# (PROFILE: the build directory's name, NAME: meson's); meson's own
# output comes first, as "# " lines.
set -u
[ $# -gt 0 ] || { echo "usage: run.sh BUILD_DIR..." >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/testlib.sh
. "$here/../testlib.sh"

# name: reason   (none so far)
UNIT_TESTS_EXCLUDED=''

# meson test writes its JSON log to BUILD/meson-logs/$logbase.json
logbase=qemu-ports-unit
results=$(mktemp)
trap 'rm -f "$results"' EXIT
tab=$(printf '\t')
for build in "$@"; do
    echo "# == $build"
    profile=$(basename "$build")
    [ -f "$build/build.ninja" ] || {
        fail "unit tests of $build" "no build in $build"; continue; }
    # An i386 build's tests are i386 programs: they need the kernel's
    # ia32 support (under another emulator they would meet its ABI).
    if file -b "$build/qemu-i386" 2>/dev/null | grep -q 'Intel 80386' &&
       ! host_runs_i386; then
        skip "unit tests of $build" "$host_i386_reason"
        continue
    fi
    list=$("$build/pyvenv/bin/meson" test -C "$build" --suite unit --list 2>/dev/null |
           sed 's/^.* \/ //' | grep -v -x -F "$(printf '%s\n' $UNIT_TESTS_EXCLUDED | sed -n 's/:$//p')")
    [ -n "$list" ] || {
        fail "unit tests of $build" "no unit tests found in $build"; continue; }
    json=$build/meson-logs/$logbase.json
    rm -f "$json"
    # meson's output is not TAP (the failing tests' own TAP output among
    # it): every line as a "# " comment.
    # shellcheck disable=SC2086
    "$build/pyvenv/bin/meson" test -C "$build" --no-rebuild --num-processes 2 \
        --print-errorlogs --logbase "$logbase" $list 2>&1 |
        awk '{ print "# " $0; fflush() }'
    if ! python3 "$here/meson-results.py" "$json" > "$results" 2>&1; then
        fail "unit tests of $build" "meson test left no readable $json: $(cat "$results")"
        continue
    fi
    while IFS="$tab" read -r result name; do
        case $result in
        OK) pass "$profile: $name" ;;
        EXPECTEDFAIL) pass "$profile: $name (expected to fail, failed)" ;;
        SKIP) skip "$profile: $name" "meson test: skipped" ;;
        *) fail "$profile: $name" "meson test: $result (its output is above)" ;;
        esac
    done < "$results"
    wanted=$(printf '%s\n' "$list" | wc -l)
    reported=$(wc -l < "$results")
    [ "$reported" -eq "$wanted" ] ||
        fail "unit tests of $build" "meson test reported $reported of $wanted tests"
done
finish
