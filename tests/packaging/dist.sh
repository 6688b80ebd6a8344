# Sourced by tests/packaging/run.sh (after the builds of `make`): the
# release tarballs of `make dist`, written by scripts/make-dist.sh.
. "$top/upstream/qemu.pin"
series_version=$(cat "$top/VERSION")
dist=$top/build/dist
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The profiles that make tarballs, and the names those must have.
want_names=''
for file in "$top"/profiles/*; do
    arch=$(sed -n "s/^DIST_ARCH=//p" "$file")
    [ -n "$arch" ] &&
        want_names="$want_names qemu-ports-i386-$QEMU_VERSION-$series_version-$arch"
done
want_names=$(printf '%s\n' $want_names | LC_ALL=C sort)

# expect_not_in NAME REGEX FILE: no line of FILE matches REGEX.
expect_not_in() {
    if grep -Eq -- "$2" "$3"; then
        fail "$1" "$(grep -E -- "$2" "$3")"
    else
        pass "$1"
    fi
}

# dist_snapshot DIR: copy build/dist's files into DIR.
dist_snapshot() {
    mkdir -p "$1" && cp "$dist"/SHA256SUMS "$dist"/*.tar.xz "$1"/
}

# In the edit loop (qemu/ ahead of patches/, built by make check as it
# is) make-dist.sh refuses by design: the tarballs ship patches/.  Its
# refusal is tested by the tooling suite; the tarballs are not checked.
if ! out=$("$top/scripts/make-dist.sh" 2>&1); then
    case $out in
    *" is ahead of patches/ "*)
        skip "make dist's tarballs" "qemu/ is ahead of patches/, which make dist refuses; 'make export' first"
        return 0 ;;
    esac
    fail "make-dist.sh" "$out"
    return 0
fi
dist_snapshot "$work/first"
if ! out=$("$top/scripts/make-dist.sh" 2>&1); then
    fail "make-dist.sh, second run" "$out"
    return 0
fi
dist_snapshot "$work/second"
if diff -r "$work/first" "$work/second" >/dev/null; then
    pass "make dist twice gives the same bytes ($(ls "$work/first" | wc -l) files)"
else
    fail "make dist twice gives the same bytes" "$(cd "$work" && cmp first/* second/* 2>&1)"
fi
got_names=$(sed 's/^[0-9a-f]\{64\}  //; s/\.tar\.xz$//' "$dist/SHA256SUMS")
if [ "$got_names" = "$want_names" ]; then
    pass "SHA256SUMS names one tarball per profile with DIST_ARCH"
else
    fail "SHA256SUMS names" "want:
$want_names
got:
$got_names"
fi
expect "SHA256SUMS verifies the tarballs" 0 ": OK" \
    sh -c "cd '$dist' && sha256sum -c SHA256SUMS"

# A minimal i386 program, an executable and a PIE, for the binfmt match.
printf 'int main(void) { return 0; }\n' > "$work/prog.c"
i686-linux-gnu-gcc -static -o "$work/i386-exec" "$work/prog.c" &&
i686-linux-gnu-gcc -static-pie -o "$work/i386-pie" "$work/prog.c" ||
    fail "i686-linux-gnu-gcc" "cannot build the i386 test programs"

patch_members=$(cd "$top/patches" && ls -- *.patch | sed 's|^|share/doc/qemu-ports-i386/patches/|')
for name in $want_names; do
    arch=${name##*-"$series_version"-}
    tarball=$dist/$name.tar.xz
    [ -f "$tarball" ] || { fail "$name" "no $tarball"; continue; }
    # x86 tarballs carry no binfmt_misc registration (DIST_BINFMT=no).
    case $arch in
        i386|x86_64) binfmt=no binfmt_members='' ;;
        *) binfmt=yes
           binfmt_members='lib/ lib/binfmt.d/ lib/binfmt.d/qemu-ports-i386.conf' ;;
    esac
    # Members: exactly these, owned by 0:0, qemu-i386 executable.
    want_members=$(printf '%s\n' INSTALL bin/ bin/qemu-i386 $binfmt_members \
        share/ share/doc/ \
        share/doc/qemu-ports-i386/ share/doc/qemu-ports-i386/COPYING \
        share/doc/qemu-ports-i386/COPYING.LIB share/doc/qemu-ports-i386/INSTALL \
        share/doc/qemu-ports-i386/LICENSE share/doc/qemu-ports-i386/patches/ \
        $patch_members | sed "s|^|$name/|" | LC_ALL=C sort)
    want_members=$(printf '%s/\n%s\n' "$name" "$want_members" | LC_ALL=C sort)
    got_members=$(tar -tf "$tarball" | LC_ALL=C sort)
    if [ "$got_members" = "$want_members" ]; then
        pass "$arch: the tarball holds bin, INSTALL, licences, patches (binfmt.d: $binfmt)"
    else
        fail "$arch: tarball members" "$(printf '%s\n' "$want_members" > "$work/want"
            printf '%s\n' "$got_members" | diff "$work/want" - )"
    fi
    expect "$arch: members owned by 0/0, qemu-i386 mode 0755" 0 \
        "^-rwxr-xr-x 0/0 .* $name/bin/qemu-i386\$" \
        sh -c "tar --numeric-owner -tvf '$tarball' | grep -v ' 0/0 ' || tar --numeric-owner -tvf '$tarball'"

    rm -rf "${work:?}/x" && mkdir "$work/x" && tar -C "$work/x" -xf "$tarball"
    qemu=$work/x/$name/bin/qemu-i386
    expect "$arch: qemu-i386 is static" 0 "statically linked|static-pie linked" file -b "$qemu"
    case $arch in
        mips64el-n32) runner=qemu-mipsn32el ;;
        mips64el-n64) runner=qemu-mips64el ;;
        i386) runner=''; host_runs_i386 || runner=qemu-i386 ;;
        *) runner='' ;;
    esac
    expect "$arch: qemu-i386 --version names QEMU and the series" 0 \
        "version $QEMU_VERSION \\(qemu-ports-$series_version\\)" \
        $runner "$qemu" --version
    expect "$arch: INSTALL installs under /usr/local" 0 \
        "^  cp -R $name/bin $name/share /usr/local/\$" \
        cat "$work/x/$name/INSTALL"
    if [ $binfmt = yes ]; then
        expect "$arch: INSTALL installs binfmt.d there, where it points" 0 \
            "^    cp -R $name/lib /usr/local/\$" cat "$work/x/$name/INSTALL"
        expect "$arch: the binfmt line matches i386 programs only, opens /usr/local/bin/qemu-i386" 0 \
            "^i386-exec yes i386-pie yes x86_64 no mips no interpreter /usr/local/bin/qemu-i386 flags F\$" \
            python3 "$top/tests/packaging/binfmt-match.py" \
            "$work/x/$name/lib/binfmt.d/qemu-ports-i386.conf" \
            i386-exec="$work/i386-exec" i386-pie="$work/i386-pie" \
            x86_64="$(command -v sh)" mips="$top/build/mips64el-n32/qemu-i386"
    else
        expect "$arch: INSTALL says why there is no binfmt_misc registration" 0 \
            "^has no binfmt_misc registration" cat "$work/x/$name/INSTALL"
        expect_not_in "$arch: INSTALL has no binfmt_misc steps" \
            "binfmt.d|/register" "$work/x/$name/INSTALL"
    fi
    # The compat route of the ioctl passthrough needs guest_base 0.
    if [ "$arch" = x86_64 ]; then
        expect "$arch: qemu-i386 gives i386 programs guest_base 0" 0 \
            "^guest_base +(\(nil\)|0x0+)\$" "$qemu" -d page "$work/i386-exec"
    fi
done

# Bad input: clear errors, build/dist untouched.
before=$(cd "$dist" && sha256sum -- *)
expect "make-dist.sh refuses a profile without DIST_ARCH" nonzero \
    "profile linux-x86_64 has no DIST_ARCH" "$top/scripts/make-dist.sh" linux-x86_64
expect "make-dist.sh refuses an unknown profile" nonzero \
    "no profile 'no-such'" "$top/scripts/make-dist.sh" no-such
# Every profile is checked before any tarball is made (its build/dist is
# written last, from a staging directory, a second guard): an xz that
# leaves a mark shows whether one was made.
mkdir "$work/marking-xz"
printf '#!/bin/sh\n: > "%s/xz-ran"\nexec "%s" "$@"\n' "$work" "$(command -v xz)" \
    > "$work/marking-xz/xz"
chmod +x "$work/marking-xz/xz"
expect "make-dist.sh refuses a good profile followed by an unknown one" nonzero \
    "no profile 'no-such'" \
    env PATH="$work/marking-xz:$PATH" "$top/scripts/make-dist.sh" mips64el-n32 no-such
if [ -e "$work/xz-ran" ]; then
    fail "make-dist.sh refuses before it makes any tarball" "xz ran"
else
    pass "make-dist.sh refuses before it makes any tarball"
fi
expect "make-dist.sh refuses a path as profile name" nonzero \
    "is not a profile name" "$top/scripts/make-dist.sh" ../profiles/linux-i386
if [ "$(cd "$dist" && sha256sum -- *)" = "$before" ]; then
    pass "a refused make-dist.sh leaves build/dist as it was"
else
    fail "a refused make-dist.sh leaves build/dist as it was" "$(cd "$dist" && ls -l)"
fi
