#!/bin/sh
# Build what bench/run.py compares besides `make`'s profiles; each build is
# kept, and only redone when its inputs change:
#   build/bench/upstream     unpatched QEMU of upstream/qemu.pin
#                            (bench/build-upstream.sh)
#   build/release            profile release: -O3, LTO, PGO (trains itself)
#   build/cygwin-linux/build-{eventfd,pipe,socketpair}
#                            the minimal builds of the cygwin-linux test
#                            suite, one per event notifier; made (and
#                            tested) by that suite when they are missing
set -eu
QP_TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$QP_TOP/scripts/lib.sh"

"$TOP/bench/build-upstream.sh"
"$TOP/scripts/build-profile.sh" release
for kind in eventfd pipe socketpair; do
    if [ ! -x "$TOP/build/cygwin-linux/build-$kind/tests/unit/test-aio" ]; then
        "$TOP/tests/run.sh" cygwin-linux || die "the cygwin-linux suite failed"
        break
    fi
done
