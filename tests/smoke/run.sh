#!/bin/sh
# Smoke tests of the built binaries: BUILD_X86_64 [BUILD_I386]
# - qemu-i386 reports 10.0.13 with the qemu-ports mark and runs a static
#   i386 program that does real work;
# - qemu-system-aarch64 starts -M virt -nographic and answers `info version`
#   on the monitor;
# - the linux-i386 qemu-i386 is a 32-bit i386 ELF and runs the same program.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/testlib.sh"
build64=${1:?usage: run.sh BUILD_X86_64 [BUILD_I386]}
build32=${2:-}
mark="10\.0\.13 \(qemu-ports-$(cat "$top/VERSION")\)"

work=$(mktemp -d "${TMPDIR:-/tmp}/qemu-ports-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT

i686-linux-gnu-gcc -static -O2 -o "$work/guest-hello" \
    "$top/tests/smoke/guest-hello.c" || { fail "build guest-hello" "compiler failed"; finish; exit; }
# The guest's checksum of "qemu-ports", computed here on the host.
want_sum=$(printf 'qemu-ports' | od -An -tu1 -v |
    awk '{ for (i = 1; i <= NF; i++) s = (s * 31 + $i) % 4294967296 } END { print s }')
want="guest-hello pointer=4 machine=i686 sum=$want_sum"

for qemu in "$build64/qemu-i386" ${build32:+"$build32/qemu-i386"}; do
    expect "$qemu --version" 0 "qemu-i386 version $mark" "$qemu" --version
    expect "$qemu runs a static i386 program" 0 "^$want\$" \
        "$qemu" "$work/guest-hello" qemu-ports
done

if [ -n "$build32" ]; then
    expect "linux-i386 qemu-i386 is an i386 ELF" 0 \
        "ELF 32-bit LSB executable, Intel 80386.*statically linked" \
        file "$build32/qemu-i386"
fi

# HMP prints the version and the package string with no separator.  The
# default NIC needs efi-virtio.rom, found through --firmwarepath when the
# source (Debian's orig) has none.
expect "qemu-system-aarch64 monitor answers info version" 0 \
    "^10\.0\.13 ?\(?qemu-ports-$(cat "$top/VERSION")" \
    sh -c "printf 'info version\nquit\n' |
        timeout 60 '$build64/qemu-system-aarch64' -M virt -nographic -S \
            -serial none -monitor stdio"
finish
