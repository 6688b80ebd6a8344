#!/bin/sh
# cygwin-build: the Cygwin build of QEMU, made by the real Cygwin compiler.
#
# usage: tests/cygwin-build/run.sh
#
# Needs the cross toolchain of `make cygwin-toolchain` (about 27 min once,
# cached under ~/.cache/qemu-ports); without it the suite prints one SKIP
# line saying so.  With it, the suite runs `make build-cygwin` (the DLLs of
# build/sysroot-cygwin, the profile `cygwin` with QEMU's own configure,
# build/cygwin-root), then checks what a Cygwin user would get:
#  - configure saw a Cygwin host: CONFIG_CYGWIN and CONFIG_POSIX, no
#    CONFIG_WIN32; and the TCG backend, compiled with the exact flags of
#    tcg/tcg.c, uses the Win64 calling convention (HOST_WIN64_ABI == 1);
#  - bin/ holds qemu-system-aarch64.exe, qemu-img.exe, qemu-io.exe and
#    qemu-nbd.exe as PE32+ x86-64 programs, and QEMU's unit tests for this
#    host were linked;
#  - qemu-system-aarch64.exe imports cygwin1.dll and the DLL of every
#    library of the profile, and those in bin/ are the ones built here;
#  - cygwin1.dll's version resource says the pinned Cygwin version;
#  - every import of every .exe and .dll in bin/ is exported by a DLL in
#    bin/ or, for Windows' own DLLs, by w32api's import library
#    (pe-imports.py).
# Nothing here runs a Cygwin program (that is the cygwin-wine suite).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../testlib.sh"

build=$top/build/cygwin
root=$top/build/cygwin-root
sysroot=$top/build/sysroot-cygwin

if ! cygwin_toolchain cygwin-build; then
    finish
    exit
fi
cross=$toolchain_bin/x86_64-pc-cygwin
pins=$top/pins/cygwin-toolchain-sources
cygwin_version=$(awk '!/^#/ && $1 == "cygwin" { print $2; exit }' "$pins")

log=$top/build/cygwin-build.log
if (cd "$top" && make build-cygwin) > "$log" 2>&1; then
    pass "make build-cygwin"
else
    fail "make build-cygwin" "see $log:
$(tail -n 20 "$log")"
    finish
    exit
fi

# --- what configure decided -------------------------------------------------
if grep -q '^#define CONFIG_CYGWIN' "$build/config-host.h" &&
   grep -q '^#define CONFIG_POSIX' "$build/config-host.h" &&
   ! grep -q '^#define CONFIG_WIN32' "$build/config-host.h"; then
    pass "config-host.h: CONFIG_CYGWIN and CONFIG_POSIX, not CONFIG_WIN32"
else
    fail config-host.h "expected CONFIG_CYGWIN and CONFIG_POSIX, not CONFIG_WIN32"
fi

# The host ABI as the TCG backend sees it: a probe compiled with the exact
# command of tcg/tcg.c (same flags, same config-host.h).
probe=$build/qemu-ports-host-abi-probe.c
printf '%s\n' '#include "qemu/osdep.h"' '#include "tcg-target.h"' \
    '_Static_assert(HOST_WIN64_ABI == 1, "Cygwin x86_64 uses the Win64 ABI");' \
    > "$probe"
tcg_cmd=$(/usr/bin/python3 - "$build" <<'EOF'
import json, shlex, sys
for e in json.load(open(sys.argv[1] + '/compile_commands.json')):
    if e['file'].endswith('tcg/tcg.c'):
        args, out, skip = shlex.split(e['command']), [], False
        for a in args[:-1]:
            if skip:
                skip = False
            elif a in ('-MQ', '-MF', '-o'):
                skip = True
            elif a not in ('-MD', '-c'):
                out.append(a)
        print(shlex.join(out))
        break
EOF
)
if [ -z "$tcg_cmd" ]; then
    fail "host ABI probe" "no compile command for tcg/tcg.c in $build/compile_commands.json"
elif out=$(cd "$build" && PATH=$toolchain_bin:$PATH eval "$tcg_cmd -fsyntax-only '$probe'" 2>&1); then
    pass "HOST_WIN64_ABI == 1 with the flags of tcg/tcg.c"
else
    fail "host ABI probe" "$out"
fi

# --- the programs -------------------------------------------------------------
# pe_format FILE: objdump's name of FILE's format (pei-x86-64 for PE32+
# x86-64), empty if FILE is missing or unreadable.
pe_format() {
    "$cross-objdump" -f "$1" 2>/dev/null | sed -n 's/.*file format //p'
}
for exe in qemu-system-aarch64 qemu-img qemu-io qemu-nbd; do
    f=$root/bin/$exe.exe
    format=$(pe_format "$f")
    if [ "$format" = pei-x86-64 ]; then
        pass "bin/$exe.exe is PE32+ x86-64"
    else
        fail "bin/$exe.exe" "not a PE32+ x86-64 program (objdump: ${format:-$f missing})"
    fi
done
# QEMU's unit tests for this host (the cygwin-wine suite runs them).
for t in test-coroutine test-aio test-thread-pool test-event-notifier \
         test-util-sockets test-bitops test-wait-object; do
    f=$build/tests/unit/$t.exe
    if [ "$(pe_format "$f")" = pei-x86-64 ]; then
        pass "unit test $t.exe linked"
    else
        fail "unit test $t.exe" "$f missing or not PE32+"
    fi
done

# --- its DLLs -----------------------------------------------------------------
imports=$("$cross-objdump" -p "$root/bin/qemu-system-aarch64.exe" |
    sed -n 's/^[[:space:]]*DLL Name: //p')
for dll in cygwin1.dll cygglib-2.0-0.dll cygpixman-1-0.dll cygz.dll \
           cygfdt-1.dll cygslirp-0.dll cygusb-1.0.dll cygusbredirparser-1.dll; do
    if printf '%s\n' "$imports" | grep -qx "$dll"; then
        pass "qemu-system-aarch64.exe imports $dll"
    else
        fail "qemu-system-aarch64.exe imports $dll" "imports are: $(echo $imports)"
    fi
done
# Every cyg*.dll it imports is the one built here.
for dll in $(printf '%s\n' $imports | grep '^cyg'); do
    if [ "$dll" = cygwin1.dll ]; then
        built=$toolchain_bin/../cygwin-root/bin/cygwin1.dll
    else
        built=$sysroot/usr/bin/$dll
    fi
    if [ -f "$built" ] && cmp -s "$built" "$root/bin/$dll"; then
        pass "bin/$dll is the one built here"
    else
        fail "bin/$dll" "missing from bin/ or different from $built"
    fi
done
# The version resource of cygwin1.dll (a UTF-16 string after FileVersion).
dll_version=$(strings -a -el "$root/bin/cygwin1.dll" | grep -A1 -x FileVersion | sed -n 2p)
if [ -n "$cygwin_version" ] && [ "$dll_version" = "$cygwin_version" ]; then
    pass "cygwin1.dll FileVersion is $dll_version (pinned: $cygwin_version)"
else
    fail "cygwin1.dll version" "FileVersion '$dll_version', pinned '$cygwin_version'"
fi

if out=$(/usr/bin/python3 "$here/pe-imports.py" "$cross-objdump" \
        "$toolchain_bin/../x86_64-pc-cygwin/lib/w32api" "$root/bin" 2>&1); then
    pass "every import in bin/ is exported ($(printf '%s\n' "$out" | tail -n 1))"
else
    fail "imports in bin/" "$out"
fi

finish
