#!/bin/sh
# Make or update the Wine test root: a copy of build/cygwin-root whose
# programs are relinked, from the same objects, with wine8-workaround.c.
#
# usage: tests/cygwin-wine/test-root.sh [PROGRAM...]
#   PROGRAM  a program of the Cygwin build, as its build/cygwin-root/bin
#            name (qemu-img.exe) or its path under build/cygwin
#            (tests/unit/test-aio.exe); default: every .exe in
#            build/cygwin-root/bin.  Each is relinked into
#            build/cygwin-wine/root/bin/BASENAME when missing or older than
#            the build's own copy or the workaround.
# Prints nothing on success but the test root's path (last line).
#
# Why a copy: Debian 12's Wine 8 has defects that stop Cygwin 3.6
# programs (see wine8-workaround.c).  The workaround must never reach what
# a Cygwin user runs, so build/cygwin-root stays as built and the test
# root holds the same DLLs and data (hard links) and test copies of the
# programs: the build's link command, unchanged except for the output name
# and one more object.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$top/build/cygwin
root=$top/build/cygwin-root
test_root=$top/build/cygwin-wine/root
work=$top/build/cygwin-wine/work

die() { echo "test-root.sh: error: $*" >&2; exit 1; }

toolchain_bin=$("$top/scripts/cygwin-toolchain.sh" --check 2>/dev/null) ||
    die "no Cygwin cross toolchain (make cygwin-toolchain)"
PATH=$toolchain_bin:$PATH
[ -f "$build/build.ninja" ] && [ -f "$root/bin/cygwin1.dll" ] ||
    die "no Cygwin build in $build and $root (make build-cygwin)"

mkdir -p "$test_root/bin" "$test_root/tmp" "$work"

# The same DLLs and data files as the user's root (hard links when
# possible; a stale copy is replaced).
sync_file() {
    if ! cmp -s "$1" "$2"; then
        rm -f "$2"
        ln "$1" "$2" 2>/dev/null || cp "$1" "$2"
    fi
}
for dll in "$root"/bin/*.dll; do
    sync_file "$dll" "$test_root/bin/${dll##*/}"
done
(cd "$root" && find usr -type f) | while read -r f; do
    mkdir -p "$test_root/$(dirname "$f")"
    sync_file "$root/$f" "$test_root/$f"
done

# Absolute Linux paths name the same files for the test programs: Wine's
# drive Z: is the Linux /, and Cygwin mounts what its root's etc/fstab
# says, so each top-level Linux directory that is not part of a Cygwin
# installation (/root, /home, /work, ...) is mounted at its own name.  Not
# /tmp: Cygwin's /tmp is the test root's.  A Cygwin session reads the
# file when its first process starts.
mkdir -p "$test_root/etc"
fstab=$work/fstab
echo "# written by tests/cygwin-wine/test-root.sh" > "$fstab"
for dir in /*/; do
    name=${dir#/}
    name=${name%/}
    case $name in
    bin|boot|cygdrive|dev|etc|lib|lib32|lib64|libx32|lost+found|proc|run|\
    sbin|sys|tmp|usr|*[!A-Za-z0-9._-]*) continue ;;
    esac
    echo "Z:/$name /$name ntfs binary,posix=1 0 0" >> "$fstab"
done
sync_file "$fstab" "$test_root/etc/fstab"

workaround_obj=$work/wine8-workaround.o
if [ ! -f "$workaround_obj" ] ||
   [ "$here/wine8-workaround.c" -nt "$workaround_obj" ]; then
    x86_64-pc-cygwin-gcc -O2 -Wall -Wextra -Werror \
        -c "$here/wine8-workaround.c" -o "$workaround_obj" ||
        die "cannot compile wine8-workaround.c"
fi

# The relay of run-exe.sh (see stdio-relay.c), test-only as well.
relay=$test_root/bin/stdio-relay.exe
if [ ! -f "$relay" ] || [ "$here/stdio-relay.c" -nt "$relay" ] ||
   [ "$workaround_obj" -nt "$relay" ]; then
    x86_64-pc-cygwin-gcc -O2 -Wall -Wextra -Werror "$here/stdio-relay.c" \
        "$workaround_obj" -o "$relay" || die "cannot build stdio-relay.exe"
fi

# relink TARGET: TARGET is a ninja target of $build (qemu-img.exe,
# tests/unit/test-aio.exe).
relink() {
    target=$1
    out=$test_root/bin/${target##*/}
    if [ -f "$out" ] && [ "$out" -nt "$build/$target" ] &&
       [ "$out" -nt "$workaround_obj" ]; then
        return 0
    fi
    (cd "$build" && ninja "$target") > "$work/ninja.log" 2>&1 ||
        die "ninja $target failed; see $work/ninja.log"
    command=$(cd "$build" && ninja -t commands "$target" | tail -n 1)
    case $command in
    *" @$target.rsp")
        # Long link lines go through a response file, which ninja deletes
        # after the link: link once more keeping it.
        if [ ! -f "$build/$target.rsp" ]; then
            rm -f "$build/$target"
            (cd "$build" && ninja -d keeprsp "$target") > "$work/ninja.log" 2>&1 ||
                die "ninja -d keeprsp $target failed; see $work/ninja.log"
        fi
        grep -q -- " -o $target " "$build/$target.rsp" ||
            die "no '-o $target' in $build/$target.rsp"
        rsp=$work/${target##*/}.rsp
        sed "s| -o $target | -o $out $workaround_obj |" "$build/$target.rsp" > "$rsp"
        command=${command% @"$target".rsp}" @$rsp"
        ;;
    *" -o $target "*)
        command=$(printf '%s\n' "$command" |
            sed "s| -o $target | -o $out $workaround_obj |")
        ;;
    *)
        die "cannot read the link command of $target: $command"
        ;;
    esac
    # The command is ninja's own, one shell line.
    (cd "$build" && eval "$command") > "$work/link.log" 2>&1 ||
        die "relinking $target failed; see $work/link.log"
}

if [ $# -eq 0 ]; then
    for exe in "$root"/bin/*.exe; do
        set -- "$@" "${exe##*/}"
    done
fi
build_real=$(cd "$build" && pwd -P)
root_real=$(cd "$root" && pwd -P)
for program in "$@"; do
    case $program in
    */*)
        [ -f "$program" ] || die "$program: no such file"
        program=$(cd "$(dirname "$program")" && pwd -P)/${program##*/}
        case $program in
        "$root_real"/bin/*.exe) target=${program##*/} ;;
        "$build_real"/*.exe) target=${program#"$build_real"/} ;;
        *) die "$program: not a program of $build or $root/bin" ;;
        esac
        ;;
    *.exe) target=$program ;;
    *) die "$program: not a Cygwin program (NAME.exe)" ;;
    esac
    # A program installed in bin/ may be built in a subdirectory
    # (storage-daemon/qemu-storage-daemon.exe).
    if [ ! -f "$build/$target" ]; then
        found=$(cd "$build" && find . -maxdepth 2 -name "${target##*/}" | head -n 1)
        [ -n "$found" ] || die "$target: not built in $build"
        target=${found#./}
    fi
    relink "$target"
done
echo "$test_root"
