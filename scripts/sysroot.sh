#!/bin/sh
# Build a static dependency sysroot (zlib, libffi, pcre2, glib2) for one ABI,
# so that QEMU's linux-user emulators can be linked as static programs for it.
#
# usage: scripts/sysroot.sh i386|mips64el-n32|mips64el-n64
#   SYSROOT_DIR  install prefix (default: <repo>/build/sysroot-ABI)
#   DISTDIR      directory searched first for source files (may be read-only)
#   QP_CACHE     cache root (default ~/.cache/qemu-ports); missing source files
#                are downloaded into $QP_CACHE/distfiles
#   JOBS         parallel build jobs (default 2)
# Sources: Debian bookworm source packages pinned by version and sha256 in
# upstream/sysroot-sources. The last stdout line is the PKG_CONFIG_LIBDIR=...
# to give QEMU's configure.
#
# mips64el-n64 is built from source as well, instead of using Debian's mips64el
# -dev packages: same recipe for all three ABIs, static archives we control,
# and no mips64el multiarch in apt (a lagging foreign index can make apt
# propose removing the native toolchain).
set -eu
. "$(dirname "$0")/lib.sh"

# glib's build runs python3 scripts, and meson lives in Debian's python3;
# a python3 from pyenv (or similar) earlier in PATH would lack it.
export PATH=/usr/bin:/bin:/usr/sbin:/sbin:$PATH

[ $# -eq 1 ] || die "usage: $0 i386|mips64el-n32|mips64el-n64"
abi=$1
case $abi in
  i386)
    # Debian's cross compiler, not gcc -m32: gcc-multilib conflicts with the
    # mips64el gcc-11 multilib package, and :i386 -dev packages are off limits.
    cross=i686-linux-gnu; cc=$cross-gcc; abi_flag=
    gnu_host=i686-linux-gnu; cpu_family=x86; cpu=i686
    toolchain_packages="gcc-i686-linux-gnu libc6-dev-i386-cross" ;;
  mips64el-n32|mips64el-n64)
    # bookworm's gcc-12 mips64el cross compiler has no n32 crt files/libgcc.
    # n32 libc and crt files: /usr/mips64el-linux-gnuabi64/lib32.
    cross=mips64el-linux-gnuabi64; cc=$cross-gcc-11
    cpu_family=mips64; cpu=mips64el
    toolchain_packages="gcc-11-multilib-mips64el-linux-gnuabi64 libc6-dev-mips64el-cross"
    if [ "$abi" = mips64el-n32 ]; then
      abi_flag=-mabi=n32; gnu_host=mips64el-linux-gnuabin32
    else
      abi_flag=-mabi=64; gnu_host=mips64el-linux-gnuabi64
    fi ;;
  *) die "unknown ABI '$abi' (want i386, mips64el-n32 or mips64el-n64)" ;;
esac
cc_command="$cc${abi_flag:+ $abi_flag}"
build_packages="dpkg-dev pkgconf make meson ninja-build python3 xz-utils bzip2"
jobs=${JOBS:-2}

script=$TOP/scripts/$(basename "$0")
pins=$TOP/upstream/sysroot-sources
sysroot=${SYSROOT_DIR:-$TOP/build/sysroot-$abi}
case $sysroot in /*) ;; *) sysroot=$PWD/$sysroot ;; esac
[ -f "$pins" ] || die "pin file $pins not found"

# --- pinned sources --------------------------------------------------------
# Pin file rows: package version sha256 file

pinned_version() { awk -v p="$1" '$1 == p { print $2; exit }' "$pins"; }
pinned_files()   { awk -v p="$1" '$1 == p { print $4 }' "$pins"; }
pinned_sha256()  { awk -v f="$1" '$4 == f { print $3 }' "$pins"; }

verify_sha256() {
  sha256_verify "$1" "$(pinned_sha256 "$(basename "$1")")"
}

# apt-get source checks the files against the signed bookworm Sources index.
download_package() {
  version=$(pinned_version "$1")
  distfiles=$(distfile_download_dir)
  download_dir=$(mktemp -d "$distfiles/.download.XXXXXX")
  say "downloading $1=$version"
  (cd "$download_dir" && apt-get source -q --download-only "$1=$version" >&2) ||
    die "apt-get source $1=$version failed (if bookworm dropped that version," \
        "put its files from snapshot.debian.org into \$DISTDIR)"
  for file in $(pinned_files "$1"); do
    [ -f "$download_dir/$file" ] || die "apt-get source $1=$version gave no $file"
    verify_sha256 "$download_dir/$file"
    mv "$download_dir/$file" "$distfiles/$file"
  done
  rm -rf "$download_dir"
}

# Make sure every pinned file of package $1 is cached and has its pinned sha256.
fetch_package() {
  for file in $(pinned_files "$1"); do
    distfile_find "$file" >/dev/null || { download_package "$1"; break; }
  done
  for file in $(pinned_files "$1"); do
    verify_sha256 "$(distfile_find "$file")"
  done
}

# Unpack package $1 with Debian's patches applied into $work/$1.
unpack_package() {
  mkdir -p "$work/$1-files"
  for file in $(pinned_files "$1"); do
    ln -s "$(distfile_find "$file")" "$work/$1-files/$file"
  done
  dsc=$(pinned_files "$1" | grep '\.dsc$')
  dpkg-source -q -x "$work/$1-files/$dsc" "$work/$1"
}

# --- builds (run inside the unpacked source tree) --------------------------

configure_cross() {
  env CC="$cc_command" AR="$cross-ar" RANLIB="$cross-ranlib" NM="$cross-nm" \
      STRIP="$cross-strip" CFLAGS="-O2 -fPIC" "$@"
}

build_zlib() {
  configure_cross ./configure --static --prefix="$sysroot"
  make -j"$jobs" libz.a
  make install
}

build_libffi() {
  configure_cross ./configure --host="$gnu_host" --prefix="$sysroot" \
    --libdir="$sysroot/lib" --disable-multi-os-directory \
    --disable-shared --enable-static --disable-docs
  make -j"$jobs"
  make install
  # Debian's no-toolexeclibdir.diff drops -L from libffi.pc (its libdir is a
  # default search path); ours is not, so put it back.
  pc=$sysroot/lib/pkgconfig/libffi.pc
  sed 's/^Libs: -lffi$/Libs: -L${libdir} -lffi/' "$pc" > "$pc.new"
  mv "$pc.new" "$pc"
}

build_pcre2() {
  configure_cross ./configure --host="$gnu_host" --prefix="$sysroot" \
    --disable-shared --enable-static
  make -j"$jobs"
  make install
}

write_meson_cross_file() {
  cat <<EOF
[binaries]
c = ['$cc'${abi_flag:+, '$abi_flag'}]
ar = '$cross-ar'
strip = '$cross-strip'
pkg-config = 'pkg-config'

[properties]
pkg_config_libdir = ['$sysroot/lib/pkgconfig']
needs_exe_wrapper = true
# answers to checks glib cannot run on the target; true for glibc
have_c99_vsnprintf = true
have_c99_snprintf = true
have_unix98_printf = true
have_proc_self_cmdline = true

[host_machine]
system = 'linux'
cpu_family = '$cpu_family'
cpu = '$cpu'
endian = 'little'
EOF
}

build_glib2() {
  write_meson_cross_file > "$work/meson-cross.ini"
  meson setup "$work/glib2-build" . --cross-file "$work/meson-cross.ini" \
    --prefix "$sysroot" --libdir lib --buildtype release \
    --wrap-mode nofallback -Ddefault_library=static \
    -Dtests=false -Dinstalled_tests=false -Dnls=disabled -Dman=false \
    -Dgtk_doc=false -Dselinux=disabled -Dlibmount=disabled -Dxattr=false \
    -Ddtrace=false -Dsystemtap=false -Dsysprof=disabled -Dlibelf=disabled \
    -Dbsymbolic_functions=false
  ninja -C "$work/glib2-build" -j"$jobs"
  meson install -C "$work/glib2-build" --no-rebuild
}

# --- main ------------------------------------------------------------------

install_missing_packages $build_packages $toolchain_packages

stamp=$sysroot/.sysroot-complete
owner_mark=$sysroot/.sysroot-by-qemu-ports
wanted_stamp=$( { echo "$abi"; "$cc" --version | head -n 1; cat "$pins" "$script"; } |
  sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted_stamp" ]; then
  say "$sysroot is up to date"
  echo "PKG_CONFIG_LIBDIR=$sysroot/lib/pkgconfig"
  exit 0
fi

# Start from scratch, but never wipe a non-empty directory we did not create.
if [ -d "$sysroot" ] && [ ! -f "$owner_mark" ] && [ -n "$(ls -A "$sysroot")" ]; then
  die "$sysroot exists, is not empty and was not made by this script"
fi
rm -rf "$sysroot"
work=$sysroot/.build
mkdir -p "$work"
: > "$owner_mark"

current_log=
show_failed_log() {
  [ $? -ne 0 ] && [ -n "$current_log" ] || return 0
  tail -n 40 "$current_log" >&2
  echo "sysroot.sh: error: build failed, full log: $current_log" >&2
}
trap show_failed_log EXIT

export PKG_CONFIG_LIBDIR="$sysroot/lib/pkgconfig"
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
for package in zlib libffi pcre2 glib2.0; do
  fetch_package "$package"
  current_log=$work/$package.log
  say "building $package $(pinned_version "$package") for $abi"
  unpack_package "$package" > "$current_log" 2>&1
  (cd "$work/$package"; "build_${package%.0}") >> "$current_log" 2>&1
  current_log=
done

echo "$wanted_stamp" > "$stamp"
rm -rf "$work"
say "done: $sysroot"
echo "PKG_CONFIG_LIBDIR=$sysroot/lib/pkgconfig"
