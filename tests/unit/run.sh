#!/bin/sh
# QEMU's own unit tests (meson suite "unit") for a build directory.
# Tests in UNIT_TESTS_EXCLUDED below are left out, each with the reason.
set -u
build=${1:?usage: run.sh BUILD_DIR}
[ -f "$build/build.ninja" ] || { echo "no build in $build" >&2; exit 1; }

# name: reason   (none so far)
UNIT_TESTS_EXCLUDED=''

list=$("$build/pyvenv/bin/meson" test -C "$build" --suite unit --list 2>/dev/null |
       sed 's/^.* \/ //' | grep -v -x -F "$(printf '%s\n' $UNIT_TESTS_EXCLUDED | sed -n 's/:$//p')")
[ -n "$list" ] || { echo "no unit tests found in $build" >&2; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
"$build/pyvenv/bin/meson" test -C "$build" --no-rebuild --num-processes 2 \
    --print-errorlogs $list 2>&1 | tee "$log"

ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log")
expected_fail=$(sed -n 's/^Expected Fail: *\([0-9]*\).*/\1/p' "$log")
failed=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log")
unexpected_pass=$(sed -n 's/^Unexpected Pass: *\([0-9]*\).*/\1/p' "$log")
skipped=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$log")
timeout=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$log")
[ -n "$ok" ] || { echo "meson test printed no summary"; echo "0 passed, 1 failed"; exit 1; }
bad=$((failed + unexpected_pass + timeout))
printf '%s passed, %s failed, %s skipped\n' "$((ok + expected_fail))" "$bad" "$skipped"
[ "$bad" = 0 ]
