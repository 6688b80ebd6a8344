#!/bin/sh
# Smoke tests of the built profiles: run.sh BUILD_ROOT (build/)
# - every qemu-i386 (linux-x86_64, linux-x86_64-static, linux-i386,
#   mips64el-n32, mips64el-n64) reports the version of upstream/qemu.pin
#   with the qemu-ports mark and runs a static i386 program that does real
#   work; the MIPS builds run under Debian's qemu-mipsn32el /
#   qemu-mips64el (an emulator inside an emulator), and so does the i386
#   build, under Debian's qemu-i386, where the kernel runs no i386
#   programs itself;
# - each is the kind of ELF its profile promises;
# - qemu-system-aarch64 starts -M virt -nographic and answers `info version`
#   on the monitor.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/testlib.sh"
root=${1:?usage: run.sh BUILD_ROOT}
# The pinned version (upstream/qemu.pin) as a grep -E pattern, dots escaped.
version_re=$(. "$top/upstream/qemu.pin" && printf '%s' "$QEMU_VERSION" |
    sed 's/\./\\./g')
mark="$version_re \(qemu-ports-$(cat "$top/VERSION")\)"

work=$(mktemp -d "${TMPDIR:-/tmp}/qemu-ports-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT

i686-linux-gnu-gcc -static -O2 -o "$work/guest-hello" \
    "$top/tests/smoke/guest-hello.c" || { fail "build guest-hello" "compiler failed"; finish; exit; }
# The guest's checksum of "qemu-ports", computed here on the host.
want_sum=$(printf 'qemu-ports' | od -An -tu1 -v |
    awk '{ for (i = 1; i <= NF; i++) s = (s * 31 + $i) % 4294967296 } END { print s }')
want="guest-hello pointer=4 machine=i686 sum=$want_sum"

# profile  runner (- for none; ia32: none if the kernel runs i386
# programs, else Debian's qemu-i386)  expected file(1) description
while read -r profile runner elf; do
    qemu=$root/$profile/qemu-i386
    if [ ! -x "$qemu" ]; then
        fail "$profile qemu-i386" "not built: $qemu"
        continue
    fi
    case $runner in
        -) runner='' ;;
        ia32) runner=''
              if ! host_runs_i386; then
                  runner=qemu-i386
                  echo "    $profile: under Debian's qemu-i386: $host_i386_reason"
              fi ;;
    esac
    if [ -n "$runner" ] && ! command -v "$runner" >/dev/null; then
        fail "$profile qemu-i386" "$runner not installed (Debian package qemu-user)"
        continue
    fi
    expect "$profile qemu-i386 is $elf" 0 "$elf" file -L "$qemu"
    expect "$profile qemu-i386 --version" 0 "qemu-i386 version $mark" \
        $runner "$qemu" --version
    expect "$profile qemu-i386 runs a static i386 program" 0 "^$want\$" \
        $runner "$qemu" "$work/guest-hello" qemu-ports
done <<'EOT'
linux-x86_64 - ELF 64-bit LSB .*x86-64
linux-x86_64-static - ELF 64-bit LSB pie executable, x86-64.*static-pie linked
linux-i386 ia32 ELF 32-bit LSB executable, Intel 80386.*statically linked
mips64el-n32 qemu-mipsn32el ELF 32-bit LSB executable, MIPS, N32 .*statically linked
mips64el-n64 qemu-mips64el ELF 64-bit LSB executable, MIPS, MIPS64 .*statically linked
EOT

# HMP prints the version and the package string with no separator.
# -nic none: the default NIC needs efi-virtio.rom, which Debian's orig
# lacks; the system's (ipxe-qemu) would do, but this row checks the monitor
# alone, without depending on another package's firmware.
expect "qemu-system-aarch64 monitor answers info version" 0 \
    "^$version_re ?\(?qemu-ports-$(cat "$top/VERSION")" \
    sh -c "printf 'info version\nquit\n' |
        timeout 60 '$root/linux-x86_64/qemu-system-aarch64' -M virt -nographic -S \
            -nic none -serial none -monitor stdio"
finish
