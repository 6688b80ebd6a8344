#!/bin/sh
# PGO training of profiles/release: run the instrumented BUILD_DIR/qemu-i386
# on the benchmark programs with the training inputs (other data, seeds
# and settings than bench/run.py measures).
#
# usage: train.sh BUILD_DIR
set -eu
QP_TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$QP_TOP/scripts/lib.sh"

[ $# = 1 ] || die "usage: train.sh BUILD_DIR"
qemu=$1/qemu-i386
[ -x "$qemu" ] || die "not found: $qemu"
"$TOP/bench/qemu-i386/prepare.sh"
in=$TOP/build/bench/qemu-i386
root=$in/root

i386() {
    program=$root/$1
    shift
    "$qemu" "$root/lib/ld-linux.so.2" \
        --library-path "$root/lib/i386-linux-gnu:$root/usr/lib/i386-linux-gnu" \
        "$program" "$@"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qemu-ports-train.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
i386 usr/bin/xz -6 -T1 -c "$in/train-xz.dat" > "$tmp/t.xz"
i386 usr/bin/xz -d -c "$tmp/t.xz" | cmp -s - "$in/train-xz.dat" ||
    die "xz round trip under $qemu lost data"
i386 bin/gzip -9 -c "$in/train-gzip.dat" > "$tmp/t.gz"
i386 bin/gzip -d -c "$tmp/t.gz" | cmp -s - "$in/train-gzip.dat" ||
    die "gzip round trip under $qemu lost data"
"$qemu" "$in/cpubench" 7 40 > "$tmp/cpubench.out"
"$in/cpubench" 7 40 | cmp -s - "$tmp/cpubench.out" ||
    die "cpubench under $qemu differs from the native run"
say "trained $qemu"
