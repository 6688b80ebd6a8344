#!/bin/sh
# Build the dependency sysroot of one ABI from pinned Debian sources.
#
# usage: scripts/sysroot.sh i386|mips64el-n32|mips64el-n64|cygwin
#   SYSROOT_DIR  install root (default: <repo>/build/sysroot-ABI)
#   DISTDIR      directory searched first for source files (may be read-only)
#   QP_CACHE     cache root (default ~/.cache/qemu-ports); missing source files
#                are downloaded into $QP_CACHE/distfiles
#   JOBS         parallel build jobs (default 2)
# Sources: Debian source packages pinned by version and sha256 in
# pins/sysroot-sources.  The last stdout line holds the environment
# to give QEMU's configure, as NAME=VALUE words (PKG_CONFIG_LIBDIR=...;
# for cygwin also PKG_CONFIG_SYSROOT_DIR, CFLAGS and LDFLAGS).
#
# i386, mips64el-n32, mips64el-n64: static zlib, libffi, pcre2 and glib2,
# installed with the sysroot as prefix, so that QEMU's linux-user emulators
# can be linked as static programs for that ABI.  mips64el-n64 is built from
# source as well, instead of using Debian's mips64el -dev packages: same
# recipe for all three ABIs, static archives we control, and no mips64el
# multiarch in apt (a lagging foreign index can make apt propose removing
# the native toolchain).
#
# cygwin: the libraries of the Cygwin build of QEMU as DLLs, built with the
# toolchain of scripts/cygwin-toolchain.sh (which this runs, and which is
# a no-op once cached): zlib, libffi, pcre2, iconv, libintl, glib2, pixman,
# libfdt, libslirp, libusb-1.0 and usbredir.  They are configured for
# prefix /usr and installed under SYSROOT_DIR the way a Cygwin installation
# holds them: usr/bin/cyg*.dll, usr/lib/lib*.dll.a import libraries and
# pkg-config files, usr/include.  DLL names follow Cygwin's rule
# (libNAME.so.N is cygNAME-N.dll: cygglib-2.0-0.dll, cygz.dll, ...).
# Cygwin's own iconv is GNU libiconv, which Debian does not have; iconv
# here is win_iconv.c from glib's sources (the implementation glib uses on
# Windows: conversions through the Windows code pages), as
# cygwin-iconv-0.dll with the import library libiconv.dll.a.
set -eu
. "$(dirname "$0")/lib.sh"

# glib's build runs python3 scripts, and meson lives in Debian's python3;
# a python3 from pyenv (or similar) earlier in PATH would lack it.
export PATH=/usr/bin:/bin:/usr/sbin:/sbin:$PATH

[ $# -eq 1 ] || die "usage: $0 i386|mips64el-n32|mips64el-n64|cygwin"
abi=$1
# Defaults: a static sysroot whose prefix is the sysroot itself.
packages="zlib libffi pcre2 glib2.0"
meson_system=linux
toolchain_packages=
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
    cygwin)
        cygwin_toolchain_bin=$("$TOP/scripts/cygwin-toolchain.sh" | tail -n 1)
        [ -x "$cygwin_toolchain_bin/x86_64-pc-cygwin-gcc" ] ||
            die "scripts/cygwin-toolchain.sh gave no compiler in '$cygwin_toolchain_bin'"
        PATH=$cygwin_toolchain_bin:$PATH
        cross=x86_64-pc-cygwin; cc=$cross-gcc; abi_flag=
        gnu_host=x86_64-pc-cygwin; cpu_family=x86_64; cpu=x86_64
        meson_system=cygwin
        packages="zlib libffi pcre2 win-iconv gettext glib2.0 pixman
            device-tree-compiler libslirp libusb-1.0 usbredir" ;;
    *) die "unknown ABI '$abi' (want i386, mips64el-n32, mips64el-n64 or cygwin)" ;;
esac
cc_command="$cc${abi_flag:+ $abi_flag}"
build_packages="dpkg-dev pkgconf make meson ninja-build python3 xz-utils bzip2"
jobs=${JOBS:-2}

script=$TOP/scripts/$(basename "$0")
pins=$TOP/pins/sysroot-sources
sysroot=${SYSROOT_DIR:-$TOP/build/sysroot-$abi}
case $sysroot in /*) ;; *) sysroot=$PWD/$sysroot ;; esac
[ -f "$pins" ] || die "pin file $pins not found"
# Where the libraries believe they live ($prefix), and where they are put
# ($destdir$prefix); $libdir is the latter's lib/.
if [ "$abi" = cygwin ]; then
    prefix=/usr; destdir=$sysroot
    # QEMU finds libfdt without pkg-config, in the compiler's search path,
    # which on Cygwin includes /usr/include and /usr/lib.  QEMU's configure
    # takes CFLAGS and LDFLAGS from the environment.
    configure_env="PKG_CONFIG_LIBDIR=$sysroot/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$sysroot"
    configure_env="$configure_env CFLAGS=-I$sysroot/usr/include LDFLAGS=-L$sysroot/usr/lib"
else
    prefix=$sysroot; destdir=
    configure_env="PKG_CONFIG_LIBDIR=$sysroot/lib/pkgconfig"
fi
libdir=$destdir$prefix/lib

# --- pinned sources --------------------------------------------------------
# Pin file rows: package version sha256 file

pinned_version() { awk -v p="$1" '$1 == p { print $2; exit }' "$pins"; }
pinned_files()   { awk -v p="$1" '$1 == p { print $4 }' "$pins"; }
pinned_sha256()  { awk -v f="$1" '$4 == f { print $3 }' "$pins"; }
# The source package that build $1 is made from: its own, except for
# win-iconv, a file of glib's sources.
source_of() { case $1 in win-iconv) echo glib2.0 ;; *) echo "$1" ;; esac; }

verify_sha256() {
    sha256_verify "$1" "$(pinned_sha256 "$(basename "$1")")"
}

# apt-get source checks the files against the signed Sources index.  It
# fails when a file of the package is missing from the mirror; that is
# fine as long as every file pinned here arrived.
download_package() {
    version=$(pinned_version "$1")
    distfiles=$(distfile_download_dir)
    download_dir=$(mktemp -d "$distfiles/.download.XXXXXX")
    say "downloading $1=$version"
    apt_status=0
    (cd "$download_dir" && apt-get source -q --download-only "$1=$version" >&2) ||
        apt_status=$?
    for file in $(pinned_files "$1"); do
        [ -f "$download_dir/$file" ] ||
            die "apt-get source $1=$version gave no $file (exit status $apt_status;" \
                    "if the mirror dropped that version, put its files from" \
                    "snapshot.debian.org into \$DISTDIR)"
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

# Unpack package $1 into $work/$2: with Debian's patches applied when its
# .dsc is pinned, else the upstream tree of its .orig tarball.
unpack_package() {
    mkdir -p "$work/$2-files"
    for file in $(pinned_files "$1"); do
        ln -s "$(distfile_find "$file")" "$work/$2-files/$file"
    done
    dsc=$(pinned_files "$1" | grep '\.dsc$' || true)
    if [ -n "$dsc" ]; then
        dpkg-source -q -x "$work/$2-files/$dsc" "$work/$2"
    else
        orig=$(pinned_files "$1" | grep '\.orig\.tar\.[a-z0-9]*$')
        mkdir "$work/$2"
        tar -xf "$work/$2-files/$orig" -C "$work/$2" --strip-components=1
    fi
}

# --- builds (run inside the unpacked source tree) --------------------------

if [ "$abi" = cygwin ]; then
    # Code on Cygwin is position independent anyway (gcc warns about -fPIC).
    cflags=-O2
    library_kind="--enable-shared --disable-static"
    library_kind_meson=-Ddefault_library=shared
else
    cflags="-O2 -fPIC"
    library_kind="--disable-shared --enable-static"
    library_kind_meson=-Ddefault_library=static
fi

configure_cross() {
    env CC="$cc_command" AR="$cross-ar" RANLIB="$cross-ranlib" NM="$cross-nm" \
            STRIP="$cross-strip" CFLAGS="$cflags" "$@"
}

# make install ("$@": more make arguments), into $destdir if there is one.
make_install() {
    make ${destdir:+DESTDIR="$destdir"} "$@" install
}

build_zlib() {
    configure_cross ./configure --static --prefix="$prefix"
    make -j"$jobs" libz.a
    make_install
    [ "$abi" = cygwin ] || return 0
    # zlib's configure makes no DLL for Cygwin: link cygz.dll (Cygwin's name)
    # from the objects of libz.a, exporting all of their symbols.
    mkdir -p "$destdir$prefix/bin"
    # shellcheck disable=SC2046
    "$cc" -shared -o "$destdir$prefix/bin/cygz.dll" \
        -Wl,--out-implib="$libdir/libz.dll.a" $("$cross-ar" t libz.a)
}

build_libffi() {
    # shellcheck disable=SC2086
    configure_cross ./configure --host="$gnu_host" --prefix="$prefix" \
        --libdir="$prefix/lib" --disable-multi-os-directory \
        $library_kind --disable-docs
    make -j"$jobs"
    make_install
    # Debian's no-toolexeclibdir.diff drops -L from libffi.pc (its libdir is a
    # default search path); ours is not, so put it back.
    pc=$libdir/pkgconfig/libffi.pc
    sed 's/^Libs: -lffi$/Libs: -L${libdir} -lffi/' "$pc" > "$pc.new"
    mv "$pc.new" "$pc"
}

build_pcre2() {
    # shellcheck disable=SC2086
    configure_cross ./configure --host="$gnu_host" --prefix="$prefix" \
        $library_kind
    make -j"$jobs"
    make_install
}

# Cygwin only: glib's win_iconv.c (see the top of this file) as a DLL.  It
# is written for the Microsoft C runtime; Cygwin's names for the three
# functions it takes from there are given on the command line.
build_win_iconv() {
    # shellcheck disable=SC2086
    "$cc" $cflags -D_errno=__errno -D_stricmp=strcasecmp \
        -D_strnicmp=strncasecmp -c glib/win_iconv.c -o win_iconv.o
    mkdir -p "$destdir$prefix/bin"
    "$cc" -shared -o "$destdir$prefix/bin/cygwin-iconv-0.dll" win_iconv.o \
        -Wl,--out-implib="$libdir/libiconv.dll.a"
}

# Cygwin only: libintl (glib needs it; Cygwin's C library has no gettext),
# from gettext-runtime's intl/ directory, with the iconv above.
build_gettext() {
    cd gettext-runtime
    # shellcheck disable=SC2086
    configure_cross ./configure --host="$gnu_host" --prefix="$prefix" \
        $library_kind --disable-java --disable-csharp --disable-libasprintf \
        --disable-openmp --disable-curses --disable-acl \
        CPPFLAGS="-I$destdir$prefix/include" LDFLAGS="-L$libdir"
    make -j"$jobs" -C intl
    make_install -C intl
}

write_meson_cross_file() {
    cat <<EOF
[binaries]
c = ['$cc'${abi_flag:+, '$abi_flag'}]
ar = '$cross-ar'
strip = '$cross-strip'
pkg-config = 'pkg-config'

[properties]
pkg_config_libdir = ['$libdir/pkgconfig']
needs_exe_wrapper = true
EOF
    if [ "$abi" = cygwin ]; then
        # Libraries found without pkg-config (iconv, intl) are searched here.
        cat <<EOF

[built-in options]
c_args = ['-I$destdir$prefix/include']
c_link_args = ['-L$libdir']
EOF
    else
        cat <<EOF
# answers to checks glib cannot run on the target; true for glibc
have_c99_vsnprintf = true
have_c99_snprintf = true
have_unix98_printf = true
have_proc_self_cmdline = true
EOF
    fi
    cat <<EOF

[host_machine]
system = '$meson_system'
cpu_family = '$cpu_family'
cpu = '$cpu'
endian = 'little'
EOF
}

# Configure, build and install the meson project in the current directory
# with the options "$@".
meson_build() {
    build_dir=$work/$(basename "$PWD")-build
    meson setup "$build_dir" . --cross-file "$work/meson-cross.ini" \
        --prefix "$prefix" --libdir lib --buildtype release \
        --wrap-mode nofallback "$@"
    ninja -C "$build_dir" -j"$jobs"
    meson install -C "$build_dir" --no-rebuild ${destdir:+--destdir "$destdir"}
}

build_glib2_0() {
    if [ "$abi" = cygwin ]; then
        # gio passes guint lengths where Cygwin's socket calls take socklen_t
        # (int); same size, but glib makes that an error.
        sed "/'-Werror=pointer-sign',/d" meson.build > meson.build.new
        mv meson.build.new meson.build
    fi
    meson_build $library_kind_meson \
        -Dtests=false -Dinstalled_tests=false -Dnls=disabled -Dman=false \
        -Dgtk_doc=false -Dselinux=disabled -Dlibmount=disabled -Dxattr=false \
        -Ddtrace=false -Dsystemtap=false -Dsysprof=disabled -Dlibelf=disabled \
        -Dbsymbolic_functions=false
}

build_pixman() {
    meson_build $library_kind_meson -Dtests=disabled -Dgtk=disabled \
        -Dlibpng=disabled -Dopenmp=disabled
}

build_device_tree_compiler() {
    meson_build $library_kind_meson -Dtools=false -Dpython=disabled \
        -Dyaml=disabled -Dvalgrind=disabled -Dtests=false
}

build_libslirp() {
    meson_build $library_kind_meson
}

build_libusb_1_0() {
    # shellcheck disable=SC2086
    configure_cross ./configure --host="$gnu_host" --prefix="$prefix" \
        $library_kind --disable-udev
    make -j"$jobs"
    make_install
}

build_usbredir() {
    meson_build $library_kind_meson -Dtools=disabled -Dfuzzing=disabled \
        -Dtests=disabled
}

# --- main ------------------------------------------------------------------

install_missing_packages $build_packages $toolchain_packages

stamp=$sysroot/.sysroot-complete
owner_mark=$sysroot/.sysroot-by-qemu-ports
wanted_stamp=$( { echo "$abi"; "$cc" --version | head -n 1; cat "$pins" "$script"; } |
    sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted_stamp" ]; then
    say "$sysroot is up to date"
    echo "$configure_env"
    exit 0
fi

# Start from scratch, but never wipe a non-empty directory we did not create.
if [ -d "$sysroot" ] && [ ! -f "$owner_mark" ] && [ -n "$(ls -A "$sysroot")" ]; then
    die "$sysroot exists, is not empty and was not made by this script"
fi
rm -rf "$sysroot"
work=$sysroot/.build
mkdir -p "$work" "$libdir"
: > "$owner_mark"

current_log=
show_failed_log() {
    [ $? -ne 0 ] && [ -n "$current_log" ] || return 0
    tail -n 40 "$current_log" >&2
    echo "sysroot.sh: error: build failed, full log: $current_log" >&2
}
trap show_failed_log EXIT

export PKG_CONFIG_LIBDIR="$libdir/pkgconfig"
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
[ -z "$destdir" ] || export PKG_CONFIG_SYSROOT_DIR="$destdir"
write_meson_cross_file > "$work/meson-cross.ini"
# Every input is fetched and checked first: a corrupt one stops the run
# before anything is built.
for package in $packages; do
    fetch_package "$(source_of "$package")"
done
for package in $packages; do
    source_package=$(source_of "$package")
    current_log=$work/$package.log
    say "building $package $(pinned_version "$source_package") for $abi"
    unpack_package "$source_package" "$package" > "$current_log" 2>&1
    (cd "$work/$package"; "build_$(printf %s "$package" | tr -- '-.' '__')") \
        >> "$current_log" 2>&1
    current_log=
done
if [ "$abi" = cygwin ]; then
    # DLLs only: no static archives besides import libraries, and no libtool
    # archives (they name this machine's paths).
    find "$libdir" -maxdepth 1 \( -name '*.la' -o \
        \( -name '*.a' ! -name '*.dll.a' \) \) -delete
fi

echo "$wanted_stamp" > "$stamp"
rm -rf "$work"
say "done: $sysroot"
echo "$configure_env"
