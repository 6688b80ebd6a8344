#!/bin/sh
# Lay out the Cygwin build of QEMU as a Cygwin installation, ready to run:
#
#   build/cygwin-root/bin/       qemu-system-aarch64.exe, qemu-img.exe, ...,
#                                the cyg*.dll of build/sysroot-cygwin and
#                                cygwin1.dll of the cross toolchain
#   build/cygwin-root/usr/share/qemu/   QEMU's data files (keymaps,
#                                firmware descriptors, the NICs' option
#                                ROMs from Debian's ipxe-qemu, ...)
#   build/cygwin-root/tmp/       Cygwin's /tmp
#
# A Cygwin program takes the directory above the one holding cygwin1.dll
# as its root, and Cygwin mounts /usr/bin on /bin (and /usr/lib on /lib),
# so bin/ is both, as in C:\cygwin64.  QEMU is configured with
# --prefix=/usr and finds its data relative to its executable:
# /usr/bin/../share/qemu.
#
# usage: scripts/cygwin-root.sh     (make build-cygwin runs it)
#   BUILD_DIR    the configured Cygwin build (default: build/cygwin)
#   CYGWIN_ROOT  where to lay it out (default: build/cygwin-root); replaced
#                as a whole, and only once the new one is complete
set -eu
. "$(dirname "$0")/lib.sh"

build=${BUILD_DIR:-$TOP/build/cygwin}
root=${CYGWIN_ROOT:-$TOP/build/cygwin-root}
sysroot=$TOP/build/sysroot-cygwin
[ -f "$build/build.ninja" ] ||
    die "no Cygwin build in $build: run 'make build-cygwin'"
[ -f "$sysroot/.sysroot-complete" ] ||
    die "no complete $sysroot: run 'make build-cygwin'"
toolchain_bin=$("$TOP/scripts/cygwin-toolchain.sh" | tail -n 1)
cygwin_dll=$toolchain_bin/../cygwin-root/bin/cygwin1.dll
[ -f "$cygwin_dll" ] || die "no cygwin1.dll at $cygwin_dll"

staging=$root.new
rm -rf "$staging"
log=$build/qemu-ports-install.log
make -C "$build" install DESTDIR="$staging" > "$log" 2>&1 ||
    die "make install failed; see $log"
[ -d "$staging/usr/bin" ] || die "make install put nothing in $staging/usr/bin"
mv "$staging/usr/bin" "$staging/bin"
if [ -d "$staging/usr/lib" ]; then
    mv "$staging/usr/lib" "$staging/lib"
fi
cp "$sysroot"/usr/bin/*.dll "$cygwin_dll" "$staging/bin/"
# The NICs' option ROMs (efi-virtio.rom for -M virt's default NIC, ...):
# upstream's tarball installs them from pc-bios/, Debian's repacked one
# has none.  Debian builds the same ROMs from iPXE's sources (ipxe-qemu);
# those are installed where QEMU looks for its own.
ipxe=/usr/lib/ipxe/qemu
[ -f "$ipxe/efi-virtio.rom" ] ||
    die "no $ipxe/efi-virtio.rom: install Debian's ipxe-qemu"
for rom in "$ipxe"/*.rom; do
    [ -e "$staging/usr/share/qemu/${rom##*/}" ] ||
        cp "$rom" "$staging/usr/share/qemu/"
done
mkdir -p "$staging/tmp"
rm -rf "$root"
mv "$staging" "$root"
say "Cygwin installation: $root ($(ls "$root/bin" | wc -l) files in bin/)"
