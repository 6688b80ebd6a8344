#!/bin/sh
# Build QEMU's own linux-user TCG test programs for i386 from the QEMU tree:
#
#   tests/tcg/build.sh QEMU_SRC OUT_DIR
#
# The programs of qemu's tests/tcg/i386 and tests/tcg/multiarch (and its
# linux/ subdirectory) that upstream's tests/tcg/i386/Makefile.target and
# multiarch/Makefile.target build for the i386-linux-user target, plus
# test-i386-fprem (upstream builds it only with SPEED=slow), with the flags
# those makefiles give them, as static programs made by i686-linux-gnu-gcc.
# Differences from upstream's flags: no -g (no gdb here) and
# -ffile-prefix-map, so that the programs do not depend on where the trees
# are (tests/tcg/reference records their sha256).
#
# Prints one line per program: "BUILT name", "FAILED name: reason" (the
# compiler's output follows, indented) or "NOTBUILT name: reason" for
# programs this suite does not run.  OUT_DIR/list holds the names built.
# A stamp (the compiler, this script and the sources) lets an unchanged
# build be reused.
# SPDX-License-Identifier: GPL-2.0-or-later
# $common and the flags are word lists, split on purpose:
# shellcheck disable=SC2086
set -u
[ $# = 2 ] || { echo "usage: $0 QEMU_SRC OUT_DIR" >&2; exit 2; }
src=$(cd "$1" && pwd) || exit 2
out=$2
t=$src/tests/tcg
i386=$t/i386
multi=$t/multiarch
cc=i686-linux-gnu-gcc

mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)

command -v $cc >/dev/null 2>&1 || {
    echo "FAILED all: $cc not found (apt-get install gcc-i686-linux-gnu libc6-dev-i386-cross)"
    exit 1
}

stamp=$( { $cc --version; sha256sum <"$($cc -print-file-name=libc.a)"
           sha256sum <"$0"; echo "$src"
           cd "$t" && find i386 multiarch -maxdepth 2 -type f | LC_ALL=C sort |
               xargs sha256sum
         } 2>&1 | sha256sum | cut -d' ' -f1)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && [ -f "$out/list" ]; then
    cat "$out/build.log"
    exit 0
fi
rm -rf "${out:?}/bin" "$out/gen" "$out/list" "$out/stamp" "$out/build.log"
mkdir -p "$out/bin" "$out/gen"

# Upstream's common flags (tests/tcg/Makefile.target) without -g.
common="-Wall -Werror -O0 -fno-strict-aliasing"
map="-ffile-prefix-map=$src/="
log=$out/build.log
: >"$log"
: >"$out/list"
say() { printf '%s\n' "$*" | tee -a "$log"; }

# compile NAME CFLAGS-WORDS -- SOURCES-AND-LDFLAGS...
compile() {
    c_name=$1
    shift
    c_flags=
    while [ "$1" != -- ]; do c_flags="$c_flags $1"; shift; done
    shift
    if c_msg=$(cd "$out/gen" && $cc $c_flags $map "$@" -static -o "$out/bin/$c_name" 2>&1); then
        say "BUILT $c_name"
        echo "$c_name" >>"$out/list"
    else
        say "FAILED $c_name: $cc failed"
        printf '%s\n' "$c_msg" | sed 's/^/    | /' | head -n 20 | tee -a "$log"
    fi
}
notbuilt() { say "NOTBUILT $1: $2"; }

# multiarch: *.c and linux/*.c (a linux-user target)
for f in "$multi"/*.c "$multi"/linux/*.c; do
    n=$(basename "$f" .c)
    case $n in
    float_*)
        compile "$n" $common -- "$f" "$multi/libs/float_helpers.c" -lm ;;
    testthread|threadcount|tb-link)
        compile "$n" $common -- "$f" -lpthread ;;
    signals)
        compile "$n" $common -- "$f" -lrt -lpthread ;;
    munmap-pthread|vma-pthread|sigreturn-sigmask)
        compile "$n" $common -pthread -- "$f" -pthread ;;
    sha1)
        compile "$n" $common -Wno-stringop-overread -- "$f" ;;
    test-plugin-mem-access)
        compile "$n" $common -pthread -O0 -- "$f" -pthread -O0 ;;
    *)
        compile "$n" $common -- "$f" ;;
    esac
done

# i386: every *.c but upstream's SKIP_I386_TESTS (x86_64 programs)
for f in "$i386"/*.c; do
    n=$(basename "$f" .c)
    case $n in
    test-i386-ssse3|test-avx|test-3dnow|test-mmx|test-flags)
        notbuilt "$n" "x86_64 only (64-bit registers or instructions; upstream builds it for x86_64 alone)" ;;
    test-i386-sse-exceptions)
        compile "$n" $common -msse4.1 -mfpmath=sse -- "$f" ;;
    test-i386-pcmpistri)
        compile "$n" $common -msse4.2 -- "$f" ;;
    # CFLAGS= in upstream's makefile: these replace the common flags
    test-i386-bmi2)
        compile "$n" -O2 -fwrapv -- "$f" ;;
    test-i386-adcox)
        compile "$n" -O2 -- "$f" ;;
    test-aes)
        compile "$n" $common -O -msse2 -maes -- "$f" ;;
    hello-i386)
        compile "$n" $common -ffreestanding -fno-stack-protector -- "$f" -nostdlib ;;
    test-i386)
        # the .S objects get names of their own: the linker records an
        # object's name, and gcc's are random (/tmp/ccXXXXXX.o)
        for s in test-i386-code16 test-i386-vm86; do
            (cd "$out/gen" && $cc $common -fno-pie $map -c "$i386/$s.S" -o "$s.o") ||
                say "FAILED $n: $cc failed on $s.S"
        done
        compile "$n" $common -fno-pie -- "$f" test-i386-code16.o \
            test-i386-vm86.o -lm ;;
    *)
        compile "$n" $common -- "$f" ;;
    esac
done
# sha512-sse: multiarch's sha512.c with SSE4.1 (i386/Makefile.target)
compile sha512-sse -msse4.1 -O3 -- "$multi/sha512.c"

for d in gdbstub system; do
    notbuilt "multiarch/$d" "needs gdb or system mode (qemu-system-i386), not qemu-i386"
done
notbuilt "i386/system" "system mode (qemu-system-i386), not qemu-i386"
notbuilt "run-plugin-*" "TCG plugins: the builds here are made without plugins"
if grep -q '^FAILED' "$log"; then
    exit 1
fi
echo "$stamp" >"$out/stamp"
