#!/bin/sh
# Per-call cost of passed-through ioctls in qemu-i386.
#
# usage: run.sh QEMU_I386 [ITERATIONS]
#
# Measures, in one run, NS_GET_NSTYPE (an ioctl QEMU does not know) made
#   - directly by a native i386 process (the kernel's 32-bit path),
#   - under QEMU with -ioctl-passthrough native,cmd=0xb703,
#   - under QEMU with -ioctl-passthrough compat (skipped if unavailable),
# and, for reference, FIONREAD (an ioctl in QEMU's table) directly and
# under QEMU.  Reports ns/call (best of 5 rounds) and the ratio to the
# direct call.  The compat route uses a tenth of the iterations because
# int $0x80 from a 64-bit process can be slow.
#
# Environment: CC_I386 (default i686-linux-gnu-gcc), BENCH_BUILD_DIR.
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -u
unset QEMU_IOCTL_PASSTHROUGH QEMU_STRACE QEMU_LOG

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 QEMU_I386 [ITERATIONS]" >&2
    exit 2
fi
Q=$1
N=${2:-200000}
NC=$((N / 10))
SRC=$(cd "$(dirname "$0")" && pwd)
CC_I386=${CC_I386:-i686-linux-gnu-gcc}

if [ -n "${BENCH_BUILD_DIR:-}" ]; then
    B=$BENCH_BUILD_DIR
    mkdir -p "$B" || exit 2
else
    B=$(mktemp -d "${TMPDIR:-/tmp}/ioctl-bench.XXXXXX") || exit 2
    trap 'rm -rf "$B"' EXIT
fi
"$CC_I386" -static -O2 -Wall -o "$B/ioctl-bench" "$SRC/ioctl-bench.c" || exit 2

# ns LABEL CMD...: run one measurement and print its ns/call (empty and
# a message on stderr if it failed).
ns() {
    label=$1
    shift
    line=$("$@" 2>&1 | grep '^BENCH')
    v=$(echo "$line" | sed -n 's/.*ns_per_call=\([0-9.]*\).*/\1/p')
    if [ -z "$v" ]; then
        echo "$label: measurement failed: $line" >&2
    fi
    echo "$v"
}

report() {
    # report LABEL VALUE BASE
    if [ -z "$2" ]; then
        printf '%-44s %12s\n' "$1" "n/a"
    else
        printf '%-44s %12.1f %9.2fx\n' "$1" "$2" \
            "$(echo "$2 $3" | awk '{ printf "%.4f", $1 / $2 }')"
    fi
}

d=$(ns direct "$B/ioctl-bench" nstype "$N")
# NS_GET_NSTYPE states no size: the 64-bit native route passes it named only.
n=$(ns native "$Q" -ioctl-passthrough native,cmd=0xb703 "$B/ioctl-bench" nstype "$N")
c=$(ns compat "$Q" -ioctl-passthrough compat "$B/ioctl-bench" nstype "$NC")
fd=$(ns direct-fionread "$B/ioctl-bench" fionread "$N")
fq=$(ns qemu-fionread "$Q" "$B/ioctl-bench" fionread "$N")

printf '%-44s %12s %10s\n' "ioctl (route)" "ns/call" "vs direct"
report "NS_GET_NSTYPE direct i386 process" "$d" "$d"
report "NS_GET_NSTYPE qemu-i386 passthrough native" "$n" "$d"
report "NS_GET_NSTYPE qemu-i386 passthrough compat" "$c" "$d"
report "FIONREAD direct i386 process" "$fd" "$fd"
report "FIONREAD qemu-i386 ioctls.h table (ref.)" "$fq" "$fd"
if [ -n "$n" ] && [ -n "$c" ]; then
    echo "compat/native ratio: $(echo "$c $n" | awk '{ printf "%.2f", $1 / $2 }')"
fi
