#!/bin/sh
# run.sh QEMU_TREE [CYGWIN_SYSROOT]
#
# Compile the Cygwin build of QEMU_TREE on this Linux machine, without a
# Cygwin machine: QEMU's own configure runs as a cross build for x86_64
# Cygwin (clang --target=x86_64-pc-windows-cygnus through the wrappers of a
# sysroot made by make-sysroot.sh), with the arguments of profiles/cygwin,
# and the generated build.ninja decides which files are compiled and how.
#
#   CYGWIN_SYSROOT  made by tests/cygwin-check/make-sysroot.sh; without it
#                   the check is skipped.
#
# Compiled, one PASS/FAIL line each: every object that the default build
# ("ninja all") compiles from util/, net/, hw/usb/, tcg/, accel/tcg/,
# chardev/, io/, block/file-posix.c, os-posix.c, system/ (main loop, vl,
# cpus) and the qapi/qobject/qom core; FULL=1 compiles every object of the
# default build instead.  Then, if LINK is set (default: qemu-img.exe; set
# LINK= to skip), those executables are built and linked with ld.lld against
# import libraries of cygwin1.dll (from its export list), w32api and the
# third-party DLLs; each unresolved symbol is a FAIL, except the compiler
# runtime's (libgcc: ___chkstk_ms, __emutls_*, ...) which are listed only.
#
# Environment: WORK (default /tmp/cygwin-check), TARGETS (default: the
# profile's), JOBS (default 2), PYTHON (default /usr/bin/python3).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../testlib.sh"

if [ $# -lt 1 ]; then
    echo "usage: $0 QEMU_TREE [CYGWIN_SYSROOT]" >&2
    exit 2
fi
if [ $# -lt 2 ] || [ -z "$2" ]; then
    skip cygwin-check "no Cygwin sysroot given (make one with tests/cygwin-check/make-sysroot.sh NEWLIB_CYGWIN_SRC DIR)"
    finish
    exit
fi
tree=$(cd "$1" && pwd -P)
sysroot=$(cd "$2" && pwd -P)
work=${WORK:-/tmp/cygwin-check}
jobs=${JOBS:-2}
python=${PYTHON:-/usr/bin/python3}
link_targets=${LINK-qemu-img.exe}
if [ ! -x "$sysroot/bin/x86_64-pc-cygwin-cc" ]; then
    fail sysroot "$sysroot/bin/x86_64-pc-cygwin-cc missing: not made by make-sysroot.sh?"
    finish
    exit
fi
PATH=$sysroot/bin:$PATH
export PATH

# The profile's configure arguments, minus the target list if TARGETS is set.
CONFIGURE_ARGS=''
. "$top/profiles/cygwin"
if [ -n "${TARGETS:-}" ]; then
    CONFIGURE_ARGS="$(printf '%s\n' $CONFIGURE_ARGS | grep -v '^--target-list=') --target-list=$TARGETS"
fi

build=$work/build
mkdir -p "$work"
# shellcheck disable=SC2086
set -- --python="$python" --cross-prefix=x86_64-pc-cygwin- \
    --cc=x86_64-pc-cygwin-cc --host-cc=cc --disable-docs $CONFIGURE_ARGS
if [ ! -f "$build/build.ninja" ] || [ "$(cat "$work/configure.args" 2>/dev/null)" != "$tree $*" ]; then
    rm -rf "$build"
    mkdir -p "$build"
    if (cd "$build" && "$tree/configure" "$@") > "$work/configure.log" 2>&1; then
        printf '%s\n' "$tree $*" > "$work/configure.args"
        pass "configure for x86_64 Cygwin ($*)"
    else
        fail configure "see $work/configure.log: $(grep -E 'ERROR|error' "$work/configure.log" | tail -n 3)"
        finish
        exit
    fi
else
    pass "configure for x86_64 Cygwin (reusing $build)"
fi
grep -q '^#define CONFIG_CYGWIN' "$build/config-host.h" &&
    grep -q '^#define CONFIG_POSIX' "$build/config-host.h" &&
    grep -q '^#undef CONFIG_WIN32' "$build/config-host.h" ||
    fail config-host.h "expected CONFIG_CYGWIN and CONFIG_POSIX, not CONFIG_WIN32"

# The host macros as the TCG backend sees them: compile a probe with the
# exact command of tcg/tcg.c (same flags, same config-host.h), once the
# headers osdep.h includes have been generated.
(cd "$build" && ninja config-poison.h) > "$work/generated-headers.log" 2>&1 ||
    fail "generate config-poison.h" "see $work/generated-headers.log"
probe=$work/host-abi-probe.c
printf '%s\n' '#include "qemu/osdep.h"' \
    '_Static_assert(HOST_WIN64_ABI == 1, "Cygwin x86_64 uses the Win64 ABI");' \
    '#ifndef WIN32_LEAN_AND_MEAN' '#error WIN32_LEAN_AND_MEAN not defined' '#endif' \
    > "$probe"
tcg_cmd=$("$python" - "$build" <<'EOF2'
import json, shlex, sys
for e in json.load(open(sys.argv[1] + '/compile_commands.json')):
    if e['file'].endswith('tcg/tcg.c'):
        args = shlex.split(e['command'])
        out = []
        skip = False
        for a in args[:-1]:
            if skip:
                skip = False
            elif a in ('-MQ', '-MF', '-o'):
                skip = True
            elif a not in ('-MD', '-c'):
                out.append(a)
        print(shlex.join(out))
        break
EOF2
)
if out=$(cd "$build" && eval "$tcg_cmd -fsyntax-only '$probe'" 2>&1); then
    pass "HOST_WIN64_ABI == 1 and WIN32_LEAN_AND_MEAN with the flags of tcg/tcg.c"
else
    fail "host ABI probe" "$out"
fi

# Objects that "ninja all" compiles, with their sources.
(cd "$build" && ninja -t commands all) > "$work/commands" 2>/dev/null
"$python" - "$build" "$tree" "${FULL:-0}" "$work/commands" > "$work/objects" <<'EOF'
import os, shlex, sys
build, tree, full, commands = sys.argv[1:]
prefixes = ('util/', 'net/', 'hw/usb/', 'tcg/', 'accel/tcg/', 'chardev/',
            'io/', 'system/', 'qapi/', 'qobject/', 'qom/', 'os-posix.c',
            'block/file-posix.c', 'monitor/', 'migration/ram.c')
seen = set()
for line in open(commands):
    try:
        args = shlex.split(line)
    except ValueError:
        continue
    if '-c' not in args or '-o' not in args:
        continue
    out = args[args.index('-o') + 1]
    src = os.path.normpath(os.path.join(build, args[args.index('-c') + 1]))
    rel = os.path.relpath(os.path.realpath(src), tree)
    if rel.startswith('..') or out in seen:
        continue
    if full == '1' or rel.startswith(prefixes):
        seen.add(out)
        print(out + ' ' + rel)
EOF
nobj=$(wc -l < "$work/objects")
[ "$nobj" -gt 0 ] || { fail objects "no objects selected, see $work/commands"; finish; exit; }
echo "compiling $nobj objects (log: $work/compile.log)"
# shellcheck disable=SC2046
(cd "$build" && ninja -k 0 -j "$jobs" $(cut -d' ' -f1 "$work/objects")) > "$work/compile.log" 2>&1
while read -r out src; do
    if grep -q "^FAILED: $out\$\|^FAILED: $out " "$work/compile.log"; then
        fail "$src" "$(sed -n "/^FAILED: $(printf '%s' "$out" | sed 's|[./]|\\&|g')/,/^\[/p" "$work/compile.log" |
            grep -E 'error' | head -n 5)"
    elif [ -f "$build/$out" ]; then
        pass "$src"
    else
        fail "$src" "not built (dependency failed?), see $work/compile.log"
    fi
done < "$work/objects"
warnings=$(grep -c 'warning:' "$work/compile.log")
echo "($warnings compiler warnings, see $work/compile.log)"

# Link the executables and list unresolved symbols.
runtime='^(___chkstk_ms|__chkstk|__emutls_get_address|__emutls_v\..*|__(u?div|u?mod|mul|neg|ashl|ashr|lshr|pop|clz|ctz|ffs|parity|fix|fixuns|float|floatun|powi|bswap|cmp|ucmp|muloti|mulodi)[a-z]*[0-9]*|__cpu_model|__cpu_indicator_init|__cpu_features2|__gcc_personality_.*|_Unwind_.*)$'
for target in $link_targets; do
    (cd "$build" && ninja -k 0 -j "$jobs" "$target") > "$work/link-$target.log" 2>&1
    undefined=$(grep -o 'undefined symbol: .*' "$work/link-$target.log" |
        sed 's/undefined symbol: //' | sort -u)
    if [ -z "$undefined" ] && [ -f "$build/$target" ]; then
        pass "link $target: every symbol resolved"
        continue
    elif [ -z "$undefined" ]; then
        fail "link $target" "not built: $(grep -E 'error|FAILED' "$work/link-$target.log" | head -n 5)"
        continue
    fi
    rt=$(printf '%s\n' "$undefined" | grep -E "$runtime" | tr '\n' ' ')
    missing=$(printf '%s\n' "$undefined" | grep -vE "$runtime")
    [ -n "$rt" ] && echo "link $target: compiler runtime symbols (from libgcc on Cygwin): $rt"
    if [ -z "$missing" ]; then
        pass "link $target: no unresolved symbol outside the compiler runtime"
    else
        for sym in $missing; do
            fail "link $target" "unresolved symbol $sym"
        done
    fi
done
finish
