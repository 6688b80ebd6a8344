#!/bin/sh
# Build what bench/run.py compares besides `make`'s profiles; each build is
# kept, and only redone when its inputs change:
#   build/bench/upstream*    unpatched QEMU of upstream/qemu.pin for
#                            x86_64 and the MIPS64 profiles, and the
#                            MIPS host they are counted on, mips-host
#                            (bench/build-upstream.sh)
#   build/cygwin-linux/build-{eventfd,pipe,socketpair}
#                            the cygwin-linux suite's minimal builds, one
#                            per event notifier (the suite's directories,
#                            scripts/build-notifier-variant.sh); only the
#                            unit tests in bench/notifier/unit-tests are
#                            built, and nothing is tested
set -eu
QP_TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$QP_TOP/scripts/lib.sh"

"$TOP/bench/build-upstream.sh"
variant=$TOP/scripts/build-notifier-variant.sh
unit_tests=$(grep -v '^#' "$TOP/bench/notifier/unit-tests")
for kind in $("$variant" kinds); do
    dir=$TOP/build/cygwin-linux/build-$kind
    "$variant" configure "$TREE" "$dir" "$kind"
    # shellcheck disable=SC2086
    "$variant" build "$dir" $unit_tests
done
