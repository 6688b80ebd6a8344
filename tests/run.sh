#!/bin/sh
# tests/run.sh [SUITE...]   run the suites named (default: all, in order)
# tests/run.sh --list       print the suites, one a line, in that order
#
# Each suite writes its log to build/test-logs/SUITE.log; then a summary
# table with timings and one closing "N passed, M failed" line over all
# suites is printed.  `make check` runs them all, `make check-SUITE` one.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
logs=$build/test-logs

# The one list of the suites, in the order they run by default.  Suite NAME
# is tests/NAME/run.sh, run from the top directory with the arguments
# that follow the name.
suites() {
    cat <<EOF
series
tooling
packaging
smoke        $build
ioctl        $build/linux-x86_64/qemu-i386 $build/linux-i386/qemu-i386
mm           $build/linux-x86_64/qemu-i386 $build/linux-i386/qemu-i386
unit         $build/linux-x86_64 $build/linux-i386
acceptance   $build/linux-x86_64
usbredir     $build/linux-x86_64
mips64       $build/mips64el-n64/qemu-i386 $build/mips64el-n32/qemu-i386
tcg          $build/linux-x86_64/qemu-i386 $build/linux-i386/qemu-i386 $build/mips64el-n32/qemu-i386 $build/mips64el-n64/qemu-i386
cygwin-linux $top/qemu $build/cygwin-linux
win64-abi    $top/qemu
cygwin-build
cygwin-wine
EOF
}

suite_names() {
    suites | awk '{ print $1 }'
}

# The command of suite $1; fails if there is no such suite.
suite_command() {
    suites | awk -v name="$1" '
        $1 == name { $1 = ""; print "tests/" name "/run.sh" $0; found = 1 }
        END { exit !found }'
}

case ${1:-} in
--list) suite_names; exit 0 ;;
-h|--help) sed -n '2,3s/^# //p' "$0"; exit 0 ;;
esac
# shellcheck disable=SC2046
[ $# -gt 0 ] || set -- $(suite_names)
for suite in "$@"; do
    suite_command "$suite" >/dev/null || {
        echo "tests/run.sh: unknown suite '$suite'; the suites are:" \
            $(suite_names) >&2
        exit 2
    }
done

mkdir -p "$logs"
total_passed=0 total_failed=0 total_skipped=0 summary=''
for suite in "$@"; do
    cmd=$(suite_command "$suite")
    echo "=== $suite: $cmd"
    start=$(date +%s)
    # shellcheck disable=SC2086
    (cd "$top" && $cmd; echo $? > "$logs/$suite.status") 2>&1 |
        tee "$logs/$suite.log"
    seconds=$(($(date +%s) - start))
    counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/$suite.log" | tail -n 1)
    if [ -z "$counts" ]; then
        counts="0 passed, 1 failed"
        echo "FAIL $suite: the suite did not finish (no result line)"
    elif [ "$(cat "$logs/$suite.status")" != 0 ] &&
         echo "$counts" | grep -q ' 0 failed'; then
        counts="$counts (exit status $(cat "$logs/$suite.status"))"
        counts=$(echo "$counts" | sed 's/ 0 failed/ 1 failed/')
        echo "FAIL $suite: exit status $(cat "$logs/$suite.status")"
    fi
    p=$(echo "$counts" | sed 's/^\([0-9]*\) passed.*/\1/')
    f=$(echo "$counts" | sed 's/.* \([0-9]*\) failed.*/\1/')
    s=$(echo "$counts" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
    total_passed=$((total_passed + p))
    total_failed=$((total_failed + f))
    total_skipped=$((total_skipped + ${s:-0}))
    summary="$summary$(printf '%-12s %5s passed %5s failed %5s skipped %6ss' \
        "$suite" "$p" "$f" "${s:-0}" "$seconds")
"
done
echo
echo "Summary (logs in $logs):"
printf '%s' "$summary"
printf '%s passed, %s failed, %s skipped\n' "$total_passed" "$total_failed" "$total_skipped"
[ "$total_failed" = 0 ]
