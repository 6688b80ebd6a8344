#!/bin/sh
# tests/win64-abi/run.sh QEMU_TREE [BASE_REF]
#
# The Cygwin series replaces every "_WIN64" test of the TCG x86 backend with
# HOST_WIN64_ABI (tcg/i386/tcg-target.h).  This checks that doing so changes
# nothing for a Linux x86_64 host and that the macro gives the intended
# answer for each x86 target compiler available here:
#
#  1. tcg/tcg.c (which includes tcg/i386/tcg-target.c.inc) is compiled,
#     without debug information, from QEMU_TREE and from BASE_REF (default
#     the base tag, v + QEMU_VERSION of upstream/qemu.pin) with the same
#     compile command and the same generated headers (a minimal Linux
#     configure of QEMU_TREE, i386-linux-user + a system target, so both
#     the user and the system variant of tcg.c are built);
#     the objects must be byte-identical and so must their disassembly.
#  2. the HOST_WIN64_ABI block of tcg-target.h, cut out of QEMU_TREE, is compiled
#     by each available compiler with a static assertion of the expected
#     value: 0 for x86_64 Linux gcc and i686 mingw, 1 for x86_64 mingw
#     (_WIN64), 1 for Cygwin (clang --target=x86_64-pc-windows-cygnus, which
#     does not define _WIN64).  The block tests config-host.h macros
#     (CONFIG_CYGWIN, HOST_X86_64): for Linux the configured build's
#     config-host.h is used, for the other hosts the macros their configure
#     defines are given with -D (tests/cygwin-build checks the real Cygwin
#     config-host.h with the flags of tcg/tcg.c and Cygwin's own GCC).
#
# WORK (default build/win64-abi) holds the build; reused when present.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/testlib.sh"

if [ $# -lt 1 ] || [ ! -d "$1/.git" ] && [ ! -f "$1/.git" ]; then
    echo "usage: $0 QEMU_TREE [BASE_REF]  (QEMU_TREE: a git tree of the series)" >&2
    exit 2
fi
tree=$(cd "$1" && pwd -P)
base_ref=${2:-v$(. "$top/upstream/qemu.pin" && echo "$QEMU_VERSION")}
work=${WORK:-$top/build/win64-abi}
python=${PYTHON:-/usr/bin/python3}
mkdir -p "$work"

# --- 1. object code of tcg.c before and after ------------------------------
base=$work/base-src
if [ "$(cat "$work/base-src.ref" 2>/dev/null)" != "$(git -C "$tree" rev-parse "$base_ref")" ]; then
    rm -rf "$base"
    mkdir -p "$base"
    git -C "$tree" archive "$base_ref" | tar -x -C "$base" || {
        echo "cannot export $base_ref from $tree" >&2
        exit 1
    }
    git -C "$tree" rev-parse "$base_ref" > "$work/base-src.ref"
fi

build=$work/build
if [ ! -f "$build/build.ninja" ]; then
    rm -rf "$build"
    mkdir -p "$build"
    # No target that needs the EDK2 images (the repacked tarball has none).
    (cd "$build" && "$tree/configure" --python="$python" \
        --target-list=i386-linux-user,ppc-softmmu --disable-install-blobs \
        --disable-docs --disable-tools --disable-werror) > "$work/configure.log" 2>&1 ||
        { fail configure "see $work/configure.log"; finish; exit; }
fi

# The compile command of each tcg.c variant, from compile_commands.json.
"$python" - "$build" > "$work/tcg-commands" <<'EOF'
import json, os, shlex, sys
build = os.path.realpath(sys.argv[1])
def absolute(p):
    return os.path.normpath(os.path.join(build, p))
for e in json.load(open(build + '/compile_commands.json')):
    if not e['file'].endswith('tcg/tcg.c'):
        continue
    args = shlex.split(e['command'])
    keep, skip, path_next = [], False, False
    for a in args[:-1]:
        if skip:
            skip = False
        elif path_next:
            keep.append(absolute(a))
            path_next = False
        elif a in ('-MQ', '-MF', '-o'):
            skip = True
        elif a in ('-MD', '-c') or a.startswith('-g'):
            pass
        elif a in ('-I', '-iquote', '-isystem', '-idirafter'):
            keep.append(a)
            path_next = True
        elif a.startswith('-I'):
            keep.append('-I' + absolute(a[2:]))
        else:
            keep.append(a)
    print(e['output'] + '\t' + shlex.join(keep + ['-g0']) + '\t' +
          absolute(e['file']))
EOF
[ -s "$work/tcg-commands" ] || { fail tcg-commands "tcg/tcg.c not in compile_commands.json"; finish; exit; }

while IFS="$(printf '\t')" read -r output cmd file; do
    # generated headers (qapi, trace, ...) come from the configured build
    (cd "$build" && ninja "$output") > "$work/ninja.log" 2>&1 ||
        { fail "$output" "ninja failed, see $work/ninja.log"; continue; }
    name=$(echo "$output" | tr / _)
    after=$work/$name.after.o before=$work/$name.before.o
    src_after=$file
    # Same command; only the source tree differs.  The -iquote/-I paths of
    # the command point into QEMU_TREE, so they are redirected to BASE too.
    # __FILE__ (assertions) names the tree; map both trees to one prefix.
    cmd="$cmd -ffile-prefix-map=$tree=/qemu -ffile-prefix-map=$base=/qemu"
    cmd_before=$(printf '%s' "$cmd" | sed "s|$tree|$base|g")
    if ! (cd "$build" && eval "$cmd -c '$src_after' -o '$after'") 2> "$work/$name.after.err"; then
        fail "$output (after)" "$(cat "$work/$name.after.err")"
        continue
    fi
    if ! (cd "$build" && eval "$cmd_before -c '$base/tcg/tcg.c' -o '$before'") 2> "$work/$name.before.err"; then
        fail "$output (before)" "$(cat "$work/$name.before.err")"
        continue
    fi
    objdump -d "$after" | tail -n +3 > "$after.dis"
    objdump -d "$before" | tail -n +3 > "$before.dis"
    lines=$(wc -l < "$after.dis")
    if cmp -s "$after" "$before"; then
        pass "$output: object identical to $base_ref ($lines lines of disassembly)"
    elif cmp -s "$after.dis" "$before.dis"; then
        pass "$output: disassembly identical to $base_ref (objects differ outside code)"
    else
        fail "$output" "code differs from $base_ref: diff $before.dis $after.dis"
    fi
done < "$work/tcg-commands"

# --- 2. the macro per target compiler --------------------------------------
block=$work/host-win64-abi.h
sed -n '/^#if defined(_WIN64) || (defined(CONFIG_CYGWIN)/,/^#endif/p' \
    "$tree/tcg/i386/tcg-target.h" > "$block"
if ! grep -q 'define HOST_WIN64_ABI 1' "$block"; then
    fail macro "HOST_WIN64_ABI block not found in tcg/i386/tcg-target.h"
    finish
    exit
fi
check_macro() {
    name=$1 want=$2
    shift 2
    if ! command -v "$1" >/dev/null 2>&1; then
        skip "$name" "$1 not installed"
        return
    fi
    printf '#include "%s"\n_Static_assert(HOST_WIN64_ABI == %s, "HOST_WIN64_ABI");\n' \
        "$block" "$want" > "$work/macro.c"
    if out=$("$@" -fsyntax-only "$work/macro.c" 2>&1); then
        pass "$name: HOST_WIN64_ABI == $want"
    else
        fail "$name" "$out"
    fi
}
check_macro "x86_64 Linux gcc (configured config-host.h)" 0 \
    gcc -include "$build/config-host.h"
check_macro "x86_64 mingw-w64 gcc (_WIN64)" 1 \
    x86_64-w64-mingw32-gcc -DCONFIG_WIN32=1 -DHOST_X86_64=1
check_macro "i686 mingw-w64 gcc" 0 \
    i686-w64-mingw32-gcc -DCONFIG_WIN32=1 -DHOST_I386=1
check_macro "x86_64 Cygwin clang" 1 \
    clang --target=x86_64-pc-windows-cygnus -nostdinc -DCONFIG_CYGWIN=1 -DHOST_X86_64=1
check_macro "i686 Cygwin clang" 0 \
    clang --target=i686-pc-windows-cygnus -nostdinc -DCONFIG_CYGWIN=1 -DHOST_I386=1
finish
