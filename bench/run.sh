#!/bin/sh
# Run the benchmarks in bench/ against the built profiles, side by side in
# one run.  Results are ratios, not assertions.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build

echo "== ioctl passthrough cost (bench/ioctl), 64-bit qemu-i386"
"$top/bench/ioctl/run.sh" "$build/linux-x86_64/qemu-i386"
if [ -x "$build/linux-i386/qemu-i386" ]; then
    echo "== ioctl passthrough cost (bench/ioctl), 32-bit qemu-i386"
    "$top/bench/ioctl/run.sh" "$build/linux-i386/qemu-i386"
fi
