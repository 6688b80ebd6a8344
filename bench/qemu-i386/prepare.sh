#!/bin/sh
# Prepare the qemu-i386 benchmark inputs in build/bench/qemu-i386 (kept
# while unchanged):
#   root/     Debian's i386 libc, xz and gzip (pinned in pins/bench-inputs)
#   cpubench  bench/qemu-i386/cpubench.c, built by the i686 cross compiler
#   newest/qemu-i386  the static qemu-i386 of Debian sid's qemu-user, the
#             newest upstream QEMU (pinned in pins/bench-inputs)
#   *.dat     generated data: one set to measure, and a smaller one for
#             callgrind and the MIPS instruction counts
set -eu
QP_TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$QP_TOP/scripts/lib.sh"

out=$TOP/build/bench/qemu-i386
here=$TOP/bench/qemu-i386
mkdir -p "$out"

ACCEPTANCE_INPUTS="$TOP/pins/bench-inputs $TOP/pins/acceptance-inputs" \
    "$TOP/tests/acceptance/fetch.sh" unpack "$out/root" \
    libc6:i386 liblzma5:i386 xz-utils:i386 gzip:i386

# Only qemu-i386 of the 73 MB package; kept while the pin is unchanged.
newest_deb=$(ACCEPTANCE_INPUTS="$TOP/pins/bench-inputs" \
    "$TOP/tests/acceptance/fetch.sh" deb qemu-user amd64)
if [ "$(cat "$out/newest/.deb" 2>/dev/null)" != "$newest_deb" ]; then
    rm -rf "$out/newest"
    mkdir -p "$out/newest.tmp"
    dpkg-deb --fsys-tarfile "$newest_deb" |
        tar -x -O ./usr/bin/qemu-i386 > "$out/newest.tmp/qemu-i386" ||
        die "no usr/bin/qemu-i386 in $newest_deb"
    chmod +x "$out/newest.tmp/qemu-i386"
    printf '%s\n' "$newest_deb" > "$out/newest.tmp/.deb"
    mv "$out/newest.tmp" "$out/newest"
fi

# gcc -m32 would do; the i686 cross compiler is used because gcc-multilib
# conflicts with the MIPS multilib cross compilers (see profiles/linux-i386).
cc=${BENCH_I386_CC:-i686-linux-gnu-gcc}
command -v "$cc" >/dev/null ||
    die "$cc not found (Debian package gcc-i686-linux-gnu; 'make deps' installs it)"
if [ ! -x "$out/cpubench" ] || [ "$here/cpubench.c" -nt "$out/cpubench" ]; then
    "$cc" -O2 -static -o "$out/cpubench.tmp" "$here/cpubench.c"
    mv "$out/cpubench.tmp" "$out/cpubench"
fi

# name seed size: data files are pure functions of their seed and size.
while read -r name seed size; do
    [ -f "$out/$name.dat" ] && [ "$(cat "$out/$name.dat.params" 2>/dev/null)" = "$seed $size" ] &&
        continue
    /usr/bin/python3 "$here/gendata.py" "$seed" "$size" "$out/$name.dat"
    echo "$seed $size" > "$out/$name.dat.params"
done <<EOF_DATA
measure-xz 1 2097152
measure-gzip 3 16777216
measure-xz-small 5 131072
EOF_DATA
