#!/bin/sh
# tests/run.sh [SUITE...]   run the suites named (default: all, in order)
# tests/run.sh --list       print the suites, one a line, in that order
#
# Each suite reports in TAP (tests/testlib.sh) and writes its log to
# build/test-logs/SUITE.log; tap_count counts the results of each log, then
# a summary table with timings and one closing "N passed, M failed,
# K skipped" line over all suites is printed (CI reads it).  `make check`
# runs them all, `make check-SUITE` one.
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

# tap_count LOG STATUS: count the TAP results in the suite log LOG of a
# suite that exited with STATUS; prints "PASSED FAILED SKIPPED" and, when
# the suite counts as one more failure, the reason after them.  A result
# is a line "ok ..." or "not ok ..."; one whose directive (after the first
# "#" not written "\#") is SKIP is a skip, TODO is not a failure.  A log
# without one plan "1..N" that matches the number of results, a "Bail
# out!" line, or a non-zero STATUS with no failed result is one failure.
tap_count() {
    awk -v status="$2" '
        /^(not )?ok( |$)/ {
            results++
            line = $0
            gsub(/\\#/, "", line)
            directive = ""
            if (index(line, "#"))
                directive = toupper(substr(line, index(line, "#") + 1))
            sub(/^ */, "", directive)
            if (directive ~ /^SKIP/) skipped++
            else if (/^ok/ || directive ~ /^TODO/) passed++
            else failed++
            next
        }
        /^1\.\.[0-9]+/ { plans++; planned = $0; sub(/^1\.\./, "", planned); planned += 0; next }
        /^Bail out!/ { bailed = $0 }
        END {
            if (bailed != "") problem = bailed
            else if (plans == 0) problem = "no TAP plan: the suite did not finish"
            else if (plans > 1) problem = plans " TAP plans"
            else if (planned != results) problem = "plan 1.." planned " but " results " results"
            else if (status != 0 && failed == 0) problem = "exit status " status
            if (problem != "") failed++
            printf "%d %d %d %s\n", passed, failed, skipped, problem
        }' "$1"
}

case $#:${1:-} in
1:--list) suite_names; exit 0 ;;
1:-h|1:--help) sed -n '2,3s/^# //p' "$0"; exit 0 ;;
*:-*) echo "tests/run.sh: usage: tests/run.sh [SUITE...] | --list | --help" >&2
      exit 2 ;;
esac
# shellcheck disable=SC2046
[ $# -gt 0 ] || set -- $(suite_names)
for suite in "$@"; do
    [ -n "$suite" ] && suite_command "$suite" >/dev/null || {
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
    read -r suite_passed suite_failed suite_skipped problem <<EOF
$(tap_count "$logs/$suite.log" "$(cat "$logs/$suite.status")")
EOF
    [ -z "$problem" ] || echo "tests/run.sh: $suite counts as one more failure: $problem"
    total_passed=$((total_passed + suite_passed))
    total_failed=$((total_failed + suite_failed))
    total_skipped=$((total_skipped + suite_skipped))
    summary="$summary$(printf '%-12s %5s passed %5s failed %5s skipped %6ss' \
        "$suite" "$suite_passed" "$suite_failed" "$suite_skipped" "$seconds")
"
done
echo
echo "Summary (logs in $logs):"
printf '%s' "$summary"
printf '%s passed, %s failed, %s skipped\n' "$total_passed" "$total_failed" "$total_skipped"
[ "$total_failed" = 0 ]
