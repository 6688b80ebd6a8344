#!/bin/sh
# Run the test suites named as arguments (default: all), each writing its
# log to build/test-logs/SUITE.log, then print a summary table with timings
# and one closing "N passed, M failed" line over all suites.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
logs=$build/test-logs
mkdir -p "$logs"

suite_command() {
    case $1 in
    series)     echo "tests/series/run.sh" ;;
    tooling)    echo "tests/tooling/run.sh" ;;
    packaging)  echo "tests/packaging/run.sh" ;;
    unit)       echo "tests/unit/run.sh $build/linux-x86_64 $build/linux-i386" ;;
    smoke)      echo "tests/smoke/run.sh $build" ;;
    ioctl)      echo "tests/ioctl/run.sh $build/linux-x86_64/qemu-i386 $build/linux-i386/qemu-i386" ;;
    mm)         echo "tests/mm/run.sh $build/linux-x86_64/qemu-i386 $build/linux-i386/qemu-i386" ;;
    acceptance) echo "tests/acceptance/run.sh $build/linux-x86_64" ;;
    usbredir)   echo "tests/usbredir/run.sh $build/linux-x86_64" ;;
    mips64)     echo "tests/mips64/run.sh $build/mips64el-n64/qemu-i386 $build/mips64el-n32/qemu-i386" ;;
    cygwin-linux) echo "tests/cygwin-linux/run.sh $top/qemu $build/cygwin-linux" ;;
    win64-abi)  echo "env WORK=$build/win64-abi tests/win64-abi/run.sh $top/qemu" ;;
    cygwin-build) echo "tests/cygwin-build/run.sh" ;;
    cygwin-wine) echo "tests/cygwin-wine/run.sh" ;;
    *)          return 1 ;;
    esac
}

[ $# -gt 0 ] || set -- series tooling packaging smoke ioctl mm unit acceptance usbredir \
    mips64 cygwin-linux win64-abi cygwin-build cygwin-wine
total_passed=0 total_failed=0 total_skipped=0 summary=''
for suite in "$@"; do
    cmd=$(suite_command "$suite") || { echo "unknown suite '$suite'" >&2; exit 2; }
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
