#!/bin/sh
# Acceptance suite: run what users run, with the QEMU binaries of a build.
#
#   tests/acceptance/run.sh BUILD_DIR [TEST...]
#
# BUILD_DIR holds qemu-system-aarch64 and qemu-i386.  TESTs (default: all):
#   efi-seed        the user's line, verbatim, from the build tree: -M virt -cpu
#                   cortex-a57 -bios QEMU_EFI.fd -nographic -serial mon:stdio
#                   (default NIC) reaches the UEFI shell
#   efi-installed   the same line installed (DESTDIR): the NIC's option ROM loads
#   efi-shell       UEFI shell on the serial console, monitor via Ctrl-A c, quit via Ctrl-A x
#   linux-direct    Debian arm64 kernel + busybox initramfs via -kernel, virtio-mmio disk
#   linux-smp2      the same with -smp 2 and a virtio-pci disk
#   linux-net       the same with virtio-net-pci on -netdev user (a DHCP lease)
#   linux-tcp       the same, then a TCP connection from the guest to a port on
#                   the host's loopback (10.0.2.2 in the guest), both ways checked
#   linux-efi       the same kernel started by UEFI from a FAT drive (startup.nsh)
#   i386-coreutils  Debian's i386 sha256sum and sort under qemu-i386, against the host's
#   i386-strace     sha256sum under qemu-i386 -strace
#   i386-rar        non-free i386 rar: create, list, test and extract an archive
# Inputs are the Debian packages pinned in pins/acceptance-inputs (see
# fetch.sh); unpacked trees and per-test work directories (logs, transcripts)
# go to ${QP_CACHE:-$HOME/.cache/qemu-ports}/acceptance.
# Overrides: ACCEPTANCE_FIRMWARE=QEMU_EFI.fd, ACCEPTANCE_KERNEL=arm64 Image,
# ACCEPTANCE_QEMU_VERSION (expected from 'info version', default QEMU_VERSION
# of upstream/qemu.pin),
# ACCEPTANCE_TIMEOUT (seconds per test, default 300 for guests, 480 for
# efi-seed's verbatim firmware boot, 120 for qemu-i386).
set -u

here=$(cd "$(dirname "$0")" && pwd)
pins=${ACCEPTANCE_INPUTS:-$here/../../pins/acceptance-inputs}
python=${PYTHON:-/usr/bin/python3}
acc=${QP_CACHE:-$HOME/.cache/qemu-ports}/acceptance
all_tests="efi-seed efi-installed efi-shell linux-direct linux-smp2 linux-net linux-tcp linux-efi i386-coreutils i386-strace i386-rar"
cmdline="console=ttyAMA0 panic=-1 quiet"

# time limit of each test, in seconds ($ACCEPTANCE_TIMEOUT for all)
limit() {
    case ${ACCEPTANCE_TIMEOUT:+set}$1 in
    set*) echo "$ACCEPTANCE_TIMEOUT" ;;
    efi-seed) echo 480 ;;
    efi-* | linux-*) echo 300 ;;
    *) echo 120 ;;
    esac
}

# --- helpers for a single test (run as: run.sh --one BUILD_DIR TEST WORKDIR)

# fail_test REASON / skip_test REASON: end this test, failed or skipped;
# the runner reports REASON (from $work/reason) with the test's result.
fail_test() { printf '%s\n' "$*" >"$work/reason"; exit 1; }
skip_test() { printf '%s\n' "$*" >"$work/reason"; exit 77; }

# fetch DIR PKG:ARCH...: unpack pinned packages (see fetch.sh)
fetch() {
    "$here/fetch.sh" unpack "$@" 2>"$work/fetch.err" || fail_test "$(tail -n 1 "$work/fetch.err")"
}

# need_qemu NAME: $qemu = the build's binary NAME
need_qemu() {
    qemu=$build/$1
    [ -x "$qemu" ] || fail_test "not found: $qemu"
}

# console STEP... -- COMMAND...: talk to QEMU with driver.py, transcript in console.log
console() {
    "$python" "$here/driver.py" console --log "$work/console.log" "$@" 2>"$work/driver.err" ||
        fail_test "$(tail -n 1 "$work/driver.err" | sed 's/^driver.py: //')"
}

# firmware: $fw = QEMU_EFI.fd of Debian's qemu-efi-aarch64 (or $ACCEPTANCE_FIRMWARE)
firmware() {
    if [ -n "${ACCEPTANCE_FIRMWARE:-}" ]; then
        fw=$ACCEPTANCE_FIRMWARE
    else
        fetch "$acc/qemu-efi" qemu-efi-aarch64:all
        fw=$acc/qemu-efi/usr/share/qemu-efi-aarch64/QEMU_EFI.fd
    fi
    [ -f "$fw" ] || fail_test "firmware not found: $fw"
}

# linux: $kernel (Debian's arm64 Image or $ACCEPTANCE_KERNEL), $work/initrd
# (busybox, ./init, virtio modules) and $work/disk.img starting with a $token
linux() {
    [ -f "$pins" ] || fail "pin file not found: $pins"
    pkg=$(awk '$1 ~ /^linux-image-/ && $3 == "arm64" { print $1; exit }' "$pins")
    [ -n "$pkg" ] || fail_test "no linux-image-*:arm64 pinned in $pins"
    fetch "$acc/linux" "$pkg:arm64"
    fetch "$acc/busybox" busybox-static:arm64
    kernel=${ACCEPTANCE_KERNEL:-$acc/linux/boot/vmlinuz-${pkg#linux-image-}}
    [ -f "$kernel" ] || fail_test "kernel not found: $kernel"
    # an arm64 Linux Image has the magic "ARM\x64" at offset 56
    [ "$(dd if="$kernel" bs=1 skip=56 count=4 2>/dev/null)" = ARMd ] ||
        fail_test "not an arm64 Linux Image (no ARMd magic at offset 56): $kernel"
    "$python" "$here/driver.py" initramfs "$work/initrd" "$acc/busybox/bin/busybox" \
        "$here/init" "$acc/linux/lib/modules/${pkg#linux-image-}" \
        virtio_mmio virtio_pci virtio_blk virtio_net 2>"$work/initramfs.err" ||
        fail_test "initramfs: $(tail -n 1 "$work/initramfs.err")"
    token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    printf 'QP-ACCEPTANCE-DISK %s\n' "$token" >"$work/disk.img"
    truncate -s 1M "$work/disk.img"
}

# boot RESULT QEMU-COMMAND...: run the driver's $boot_steps (if any), wait for
# the guest's ACCEPT-RESULT line (see ./init), check that it contains RESULT,
# and that QEMU then exits with status 0
boot() {
    result=$1
    shift
    console ${boot_steps:-} timeout:120 expect:'ACCEPT-RESULT [^\r\n]*\r?\n' \
        check:"ACCEPT-RESULT $result" timeout:30 exit:0 -- "$@"
}

# user_net: true if the build has user-mode networking (slirp)
user_net() {
    "$qemu" -machine none -netdev help 2>/dev/null | grep -qx user
}

# The user's command line, verbatim, from the build tree: QEMU must find
# the default NIC's option ROM (efi-virtio.rom, from ipxe-qemu) and the
# firmware must reach its shell.  With that NIC the firmware first tries
# PXE and HTTP boot over IPv4 and IPv6; that takes about 4 minutes here.
t_efi_seed() {
    need_qemu qemu-system-aarch64
    firmware
    cp "$fw" "$work/QEMU_EFI.fd"
    cd "$work" || fail_test "cannot cd to $work"
    console timeout:420 expect:'Start PXE over IPv4' expect:'Shell> ' \
        timeout:30 send:'ver\r' expect:'UEFI v[0-9.]+ \(EDK II' \
        expect:'Shell> ' send:'\x01x' exit:0 \
        -- "$qemu" -M virt -cpu cortex-a57 -bios QEMU_EFI.fd -nographic \
        -serial mon:stdio
}

# The same line with QEMU installed (DESTDIR): the NIC's option ROM is
# found and its PXE client starts.
t_efi_installed() {
    need_qemu qemu-system-aarch64
    firmware
    DESTDIR=$work/root meson install -C "$build" --no-rebuild --quiet \
        >"$work/install.log" 2>&1 || fail_test "meson install failed: $(tail -n 1 "$work/install.log")"
    qemu=$(find "$work/root" -path '*/bin/qemu-system-aarch64' | head -n 1)
    [ -x "$qemu" ] || fail_test "no installed qemu-system-aarch64 in $work/root"
    cp "$fw" "$work/QEMU_EFI.fd"
    cd "$work" || fail_test "cannot cd to $work"
    console timeout:120 expect:'Start PXE over IPv4' send:'\x01x' exit:0 \
        -- "$qemu" -M virt -cpu cortex-a57 -bios QEMU_EFI.fd -nographic \
        -serial mon:stdio
}

t_efi_shell() {
    need_qemu qemu-system-aarch64
    firmware
    version=${ACCEPTANCE_QEMU_VERSION:-$(. "$here/../../upstream/qemu.pin" && echo "$QEMU_VERSION")}
    console timeout:90 expect:'Press ESC' send:'\x1b' expect:'Shell> ' \
        timeout:30 send:'ver\r' expect:'UEFI v[0-9.]+ \(EDK II' expect:'Shell> ' \
        send:'\x01c' expect:'\(qemu\) ' send:'info version\r' \
        expect:'(?m)^[0-9][^\r\n]*\r?\n' check:"^$(echo "$version" | sed 's/\./\\./g')(?![0-9])" \
        expect:'\(qemu\) ' send:'\x01c' send:'\r' expect:'Shell> ' \
        send:'\x01x' exit:0 \
        -- "$qemu" -m 256 -cpu cortex-a57 -smp 1 -machine virt -bios "$fw" \
        -nographic -serial mon:stdio -nic none
    # -nic none: with the default NIC the firmware first tries PXE and HTTP
    # boot over IPv4 and IPv6, which takes minutes before the shell.
}

t_linux_direct() {
    need_qemu qemu-system-aarch64
    linux
    boot "arch=aarch64 cpu=0xd07 ncpu=1 disk=vda:$token net=none" \
        "$qemu" -machine virt -cpu cortex-a57 -smp 1 -m 512 -nographic -no-reboot \
        -kernel "$kernel" -initrd "$work/initrd" -append "$cmdline" -nic none \
        -drive if=none,id=d0,format=raw,file="$work/disk.img" \
        -device virtio-blk-device,drive=d0
}

t_linux_smp2() {
    need_qemu qemu-system-aarch64
    linux
    boot "arch=aarch64 cpu=0xd07 ncpu=2 disk=vda:$token net=none" \
        "$qemu" -machine virt -cpu cortex-a57 -smp 2 -m 512 -nographic -no-reboot \
        -kernel "$kernel" -initrd "$work/initrd" -append "$cmdline" -nic none \
        -drive if=none,id=d0,format=raw,file="$work/disk.img" \
        -device virtio-blk-pci,drive=d0
}

t_linux_net() {
    need_qemu qemu-system-aarch64
    user_net || skip_test "no user-mode networking (slirp) in $qemu"
    linux
    # no option ROM: the kernel is loaded directly, no firmware needs it
    boot "arch=aarch64 cpu=0xd07 ncpu=1 disk=vda:$token net=ok" \
        "$qemu" -machine virt -cpu cortex-a57 -smp 1 -m 512 -nographic -no-reboot \
        -kernel "$kernel" -initrd "$work/initrd" -append "$cmdline" \
        -netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile= \
        -drive if=none,id=d0,format=raw,file="$work/disk.img" \
        -device virtio-blk-device,drive=d0
}

# The guest connects to a TCP port on the host's loopback through QEMU's
# user network (the host is 10.0.2.2 there), sends a token, and reports
# the answer; the host checks both directions.
t_linux_tcp() {
    need_qemu qemu-system-aarch64
    user_net || skip_test "no user-mode networking (slirp) in $qemu"
    linux
    tcp_token=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
    "$python" - "$work/tcp" <<'EOF' &
import os, socket, sys
server = socket.socket()
server.bind(('127.0.0.1', 0))
server.listen(1)
with open(sys.argv[1] + '.port.new', 'w') as f:
    f.write('%d\n' % server.getsockname()[1])
os.rename(sys.argv[1] + '.port.new', sys.argv[1] + '.port')
server.settimeout(250)
conn, _ = server.accept()
line = conn.makefile('rb').readline().decode('latin-1').strip()
with open(sys.argv[1] + '.got', 'w') as f:
    f.write(line + '\n')
conn.sendall(('QP-ACK %s\n' % line.split()[-1][::-1].upper()).encode())
conn.close()
EOF
    server=$!
    tries=0
    while [ ! -f "$work/tcp.port" ] && [ $tries -lt 50 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    [ -f "$work/tcp.port" ] || fail_test "the host's TCP server did not start"
    port=$(cat "$work/tcp.port")
    want_reply=QP-ACK_$("$python" -c 'import sys; print(sys.argv[1][::-1].upper())' "$tcp_token")
    boot "arch=aarch64 cpu=0xd07 ncpu=1 disk=vda:$token net=ok tcp=$want_reply" \
        "$qemu" -machine virt -cpu cortex-a57 -smp 1 -m 512 -nographic -no-reboot \
        -kernel "$kernel" -initrd "$work/initrd" \
        -append "$cmdline qp_tcp=10.0.2.2:$port:$tcp_token" \
        -netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile= \
        -drive if=none,id=d0,format=raw,file="$work/disk.img" \
        -device virtio-blk-device,drive=d0
    wait "$server" || fail_test "the host's TCP server failed"
    [ "$(cat "$work/tcp.got")" = "QP-TCP $tcp_token" ] ||
        fail_test "the host received '$(cat "$work/tcp.got")', not 'QP-TCP $tcp_token'"
}

t_linux_efi() {
    need_qemu qemu-system-aarch64
    firmware
    linux
    # the UEFI shell runs startup.nsh from the FAT drive: kernel via its EFI stub
    mkdir "$work/esp"
    cp "$kernel" "$work/esp/vmlinuz.efi"
    cp "$work/initrd" "$work/esp/initrd.img"
    printf 'fs0:\r\n\\vmlinuz.efi initrd=\\initrd.img %s\r\n' "$cmdline" >"$work/esp/startup.nsh"
    boot_steps='timeout:90 expect:Press.ESC send:\r'
    boot "arch=aarch64 cpu=0xd07 ncpu=1 disk=vd[ab]:$token net=none" \
        "$qemu" -machine virt -cpu cortex-a57 -smp 1 -m 512 -nographic -no-reboot \
        -bios "$fw" -nic none \
        -drive if=none,id=esp,format=raw,readonly=on,file=fat:"$work/esp" \
        -device virtio-blk-pci,drive=esp \
        -drive if=none,id=d0,format=raw,file="$work/disk.img" \
        -device virtio-blk-pci,drive=d0
}

# sysroot: Debian's i386 packages unpacked in $sysroot
sysroot() {
    need_qemu qemu-i386
    sysroot=$acc/sysroot-i386
    fetch "$sysroot" libc6:i386 libgcc-s1:i386 libstdc++6:i386 libacl1:i386 \
        libattr1:i386 libselinux1:i386 libpcre2-8-0:i386 libgmp10:i386 \
        coreutils:i386 rar:i386
    [ -f "$sysroot/lib/i386-linux-gnu/ld-linux.so.2" ] ||
        fail_test "not found: $sysroot/lib/i386-linux-gnu/ld-linux.so.2"
}

# i386 PROGRAM ARGS...: run sysroot's PROGRAM via its ld.so under qemu-i386 $i386_opts
i386() {
    prog=$sysroot/$1
    shift
    "$qemu" ${i386_opts:-} "$sysroot/lib/i386-linux-gnu/ld-linux.so.2" \
        --library-path "$sysroot/lib/i386-linux-gnu:$sysroot/usr/lib/i386-linux-gnu" \
        "$prog" "$@"
}

# random_bytes N FILE / random_lines N FILE: deterministic pseudo-random data
random_bytes() {
    "$python" -c 'import random, sys; sys.stdout.buffer.write(random.Random(7).randbytes(int(sys.argv[1])))' "$1" >"$2"
}
random_lines() {
    awk -v n="$1" 'BEGIN { srand(20250520); for (i = 0; i < n; i++)
        printf "%08x %d line-%d\n", int(rand() * 2147483647), int(rand() * 1000), i }' >"$2"
}

t_i386_coreutils() {
    sysroot
    random_bytes 3000000 "$work/blob"
    want=$(sha256sum <"$work/blob" | cut -d' ' -f1)
    got=$(i386 usr/bin/sha256sum "$work/blob" 2>"$work/err") ||
        fail_test "sha256sum under qemu-i386 failed: $(tail -n 1 "$work/err")"
    [ "${got%% *}" = "$want" ] || fail_test "sha256sum under qemu-i386: '$got', host: $want"
    random_lines 5000 "$work/lines"
    export LC_ALL=C     # for the host's sort and (passed on by qemu-i386) the guest's
    for keys in "" "-n -k2"; do
        sort $keys "$work/lines" >"$work/want.sorted"
        i386 usr/bin/sort $keys "$work/lines" >"$work/got.sorted" 2>"$work/err" ||
            fail_test "sort${keys:+ $keys} under qemu-i386 failed: $(tail -n 1 "$work/err")"
        [ "$(wc -l <"$work/got.sorted")" -eq 5000 ] ||
            fail_test "sort${keys:+ $keys} under qemu-i386 printed $(wc -l <"$work/got.sorted") lines, not 5000"
        cmp "$work/want.sorted" "$work/got.sorted" >"$work/err" 2>&1 ||
            fail_test "sort${keys:+ $keys} under qemu-i386 differs from the host's: $(cat "$work/err")"
    done
}

t_i386_strace() {
    sysroot
    random_bytes 1000000 "$work/blob"
    want=$(sha256sum <"$work/blob" | cut -d' ' -f1)
    i386_opts=-strace
    got=$(i386 usr/bin/sha256sum "$work/blob" 2>"$work/strace") ||
        fail_test "sha256sum under qemu-i386 -strace failed: $(tail -n 1 "$work/strace")"
    [ "${got%% *}" = "$want" ] || fail_test "sha256sum under qemu-i386 -strace: '$got', host: $want"
    grep -q 'openat(.*libc\.so\.6' "$work/strace" ||
        fail_test "no openat( of libc.so.6 in the -strace output ($work/strace)"
    grep -q "openat(.*$work/blob\"" "$work/strace" ||
        fail_test "no openat( of the input file in the -strace output ($work/strace)"
    grep -q ' read(3,' "$work/strace" ||
        fail_test "no read(3, ...) in the -strace output ($work/strace)"
}

t_i386_rar() {
    sysroot
    mkdir -p "$work/src/sub dir" "$work/out"
    random_lines 3000 "$work/src/lines.txt"
    random_bytes 500000 "$work/src/sub dir/random.bin"
    : >"$work/src/empty"
    cd "$work" || fail_test "cannot cd to $work"
    i386 usr/bin/rar a -r -idq test.rar src >rar-a.log 2>&1 ||
        fail_test "rar a failed: $(tail -n 1 rar-a.log)"
    i386 usr/bin/rar l test.rar >rar-l.log 2>&1 || fail_test "rar l failed: $(tail -n 1 rar-l.log)"
    for f in src/lines.txt "src/sub dir/random.bin" src/empty; do
        grep -qF "$f" rar-l.log || fail_test "rar l does not list $f (see rar-l.log)"
    done
    i386 usr/bin/rar t test.rar >rar-t.log 2>&1 || fail_test "rar t failed: $(tail -n 1 rar-t.log)"
    grep -q 'All OK' rar-t.log || fail_test "rar t did not say 'All OK': $(tail -n 1 rar-t.log)"
    (cd out && i386 usr/bin/rar x -y ../test.rar) >rar-x.log 2>&1 ||
        fail_test "rar x failed: $(tail -n 1 rar-x.log)"
    (cd src && find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2) >want.sums
    (cd out/src && find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2) >got.sums
    [ "$(wc -l <want.sums)" -eq 3 ] || fail_test "expected 3 files in src, see want.sums"
    cmp -s want.sums got.sums ||
        fail_test "extracted files differ from the originals: $(diff want.sums got.sums | tr '\n' ' ')"
}

# --- one test, in its own process (so that `timeout` can stop all of it)
if [ "${1:-}" = --one ]; then
    build=$2 work=$4
    "t_$(echo "$3" | tr - _)"
    exit 0
fi

# --- the runner: one TAP result per test (tests/testlib.sh)
# shellcheck source=tests/testlib.sh
. "$here/../testlib.sh"
if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [TEST...]   (tests: $all_tests)" >&2
    exit 2
fi
[ -d "$1" ] || { echo "run.sh: build directory not found: $1" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
tests=${*:-$all_tests}
for t in $tests; do
    case " $all_tests " in
    *" $t "*) ;;
    *) echo "run.sh: unknown test: $t (tests: $all_tests)" >&2; exit 2 ;;
    esac
done

esc=$(printf '\033')
table=
suite_start=$(date +%s.%N)
for t in $tests; do
    work=$acc/work/$t
    rm -rf "$work"
    mkdir -p "$work"
    start=$(date +%s.%N)
    timeout -k 10 "$(limit "$t")" "$here/$(basename "$0")" --one "$build" "$t" "$work" >"$work/log" 2>&1
    rc=$?
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    case $rc in
    0)
        result=passed
        pass "$t (${secs}s)"
        ;;
    77)
        result=skipped
        skip "$t" "$(cat "$work/reason")"
        ;;
    *)
        result=failed
        if [ $rc = 124 ] || [ $rc = 137 ]; then
            reason="timed out after $(limit "$t")s"
        elif [ -s "$work/reason" ]; then
            reason=$(cat "$work/reason")
        else
            reason="exit status $rc: $(tail -n 1 "$work/log")"
        fi
        for f in "$work/console.log" "$work/log"; do
            [ -s "$f" ] || continue
            reason="$reason
--- last lines of $f:
$(tail -n 25 "$f" | sed "s/$esc\[[0-9;?=>]*[A-Za-z]//g" | tr -d '\r')"
            break
        done
        fail "$t (${secs}s)" "$reason"
        ;;
    esac
    table="$table$t $result $secs
"
done

echo
printf '%-16s %-7s %8s\n' test result time
printf '%s' "$table" | while read -r t result secs; do
    printf '%-16s %-7s %7ss\n' "$t" "$result" "$secs"
done
total=$(awk -v a="$suite_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
printf '%-16s %-7s %7ss\n' total "" "$total"
finish
