#!/bin/sh
# Tests of the tree tooling (scripts/make-tree.sh, export-patches.sh,
# fetch-qemu.sh) on scratch copies: reproducible commits, export round trip,
# refusal to clobber work, a bad patch named, resume, corrupt tarballs;
# tests/run.sh's suite list; the pin files; scripts/build-notifier-variant.sh
# with a stand-in QEMU; the shared Python modules
# (tests/tooling/shared-python.py).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/testlib.sh"
. "$top/upstream/qemu.pin"
base_tag=v$QEMU_VERSION

work=$(mktemp -d "${TMPDIR:-/tmp}/qemu-ports-tooling.XXXXXX")
trap 'rm -rf "$work"' EXIT
export QP_CACHE=${QP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qemu-ports}

tree() { "$top/scripts/make-tree.sh"; }
# make-tree.sh as `make` (and make check) runs it: a tree ahead of
# patches/ is built as it is.
tree_for_build() { "$top/scripts/make-tree.sh" --ahead=build; }
export_patches() { "$top/scripts/export-patches.sh"; }
head_of() { git -C "$1" rev-parse HEAD; }
patch_count=$(ls "$top"/patches/*.patch | wc -l)

mkdir "$work/patches"
cp "$top"/patches/*.patch "$work/patches/"
export PATCHES=$work/patches

# make-dist.sh on a scratch checkout without builds: it stops at its
# first refusal, and can write nothing into the real build/dist.
mkdir "$work/top"
cp -R "$top/upstream" "$top/profiles" "$top/packaging" "$top/VERSION" "$work/top/"
dist() { QP_TOP=$work/top SOURCE_DATE_EPOCH=0 "$top/scripts/make-dist.sh"; }

# 0. `make` (and make check, the benchmarks' build) run make-tree.sh with
# --ahead=build; `make tree` and `make dist` with --ahead=refuse.
make_tree_line() {
    make -n -s -C "$top" "$1" PROFILES=linux-x86_64 2>/dev/null | grep 'make-tree\.sh'
}
expect make-runs-tree-ahead-build 0 "make-tree\.sh --ahead=build\$" make_tree_line all
expect make-check-runs-tree-ahead-build 0 "make-tree\.sh --ahead=build\$" make_tree_line check
expect make-tree-runs-tree-ahead-refuse 0 "make-tree\.sh --ahead=refuse\$" make_tree_line tree
expect make-dist-runs-tree-ahead-refuse 0 "make-tree\.sh --ahead=refuse\$" make_tree_line dist

# 1. A tree: base commit tagged v$QEMU_VERSION plus one commit per patch.
export TREE=$work/qemu
expect make-tree 0 'applied [0-9]+ patches' tree
count=$(git -C "$TREE" rev-list --count "$base_tag..HEAD")
if [ "$count" = "$patch_count" ]; then
    pass "one commit per patch ($count)"
else
    fail "one commit per patch" "$count commits after $base_tag, $patch_count patches"
fi

# 2. The same series gives the same commit ids in another tree.
TREE=$work/qemu-again tree >/dev/null 2>&1
if [ "$(head_of "$work/qemu")" = "$(head_of "$work/qemu-again")" ]; then
    pass "reproducible commit ids ($(head_of "$TREE"))"
else
    fail "reproducible commit ids" \
        "$(head_of "$work/qemu") != $(head_of "$work/qemu-again")"
fi

# 3. Export right after make tree changes nothing, byte for byte.
expect export-unchanged 0 "0 added, 0 changed, 0 removed" export_patches
if diff -r "$top/patches" "$work/patches" >/dev/null; then
    pass "export round trip byte-identical"
else
    fail "export round trip byte-identical" "$(diff -r "$top/patches" "$work/patches" | head -20)"
fi
expect tree-up-to-date 0 "up to date" tree
expect tree-for-build-up-to-date 0 "up to date" tree_for_build
# The tree is exactly patches/: make-dist.sh gets past its tree check and
# stops at the missing build.
expect dist-accepts-tree-at-patches 1 "no $work/top/build/[a-z0-9_-]+/qemu-i386: run 'make build-" dist

# A patch the series does not hold, added to patches/ where a test needs
# make-tree to have a reason to update the tree.
cat > "$work/0900-test-add-a-file.patch" <<'EOT'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Test <test@example.invalid>
Date: Sat, 1 Jan 2000 00:00:00 +0000
Subject: [PATCH] test: add a file

---
 added.txt | 1 +
 1 file changed, 1 insertion(+)
 create mode 100644 added.txt

diff --git a/added.txt b/added.txt
new file mode 100644
index 0000000000000000000000000000000000000000..257cc5642cb1a054f08cc83f2d943e56fd3ebe99
--- /dev/null
+++ b/added.txt
@@ -0,0 +1 @@
+foo
EOT

# 3a. Export loses nothing.  A tree behind patches/ (a patch it lacks) is
# refused: its export would remove the newer patch.  A patches/ path with
# a space is one path: the first word of it, a file of its own here, is
# left alone.
cp "$work/0900-test-add-a-file.patch" "$work/patches/"
expect export-refuses-tree-behind 1 \
    "is behind patches/ \($patch_count of $((patch_count + 1)) patches applied\): run 'make tree' first" \
    export_patches
[ -f "$work/patches/0900-test-add-a-file.patch" ] &&
    pass "export keeps the patch the tree behind lacks" ||
    fail "export keeps the patch the tree behind lacks" "0900 is gone"
rm "$work/patches/0900-test-add-a-file.patch"
mkdir -p "$work/with space"
cp -R "$work/patches" "$work/with space/"
echo sentinel > "$work/with"
expect export-path-with-space 0 "0 added, 0 changed, 0 removed" \
    env PATCHES="$work/with space/patches" "$top/scripts/export-patches.sh"
[ "$(cat "$work/with" 2>/dev/null)" = sentinel ] &&
    [ "$(ls "$work/with space/patches" | wc -l)" = "$patch_count" ] &&
    pass "export with a space in the path touches only patches/" ||
    fail "export with a space in the path touches only patches/" \
        "$work/with is gone or patches/ changed"

# 4. Uncommitted edits are never clobbered, also when a patch added to
# patches/ gives make-tree a reason to update the tree.
before=$(head_of "$TREE")
cp "$work/0900-test-add-a-file.patch" "$work/patches/"
echo "local edit" >> "$TREE/VERSION"
expect refuse-uncommitted 1 "uncommitted changes" tree
if grep -q "local edit" "$TREE/VERSION" && [ "$(head_of "$TREE")" = "$before" ]; then
    pass "uncommitted edit kept"
else
    fail "uncommitted edit kept" "VERSION lost the edit or HEAD moved"
fi
git -C "$TREE" checkout -q VERSION
echo new > "$TREE/new-file.c"
expect refuse-untracked 1 "new-file.c" tree
rm "$TREE/new-file.c"
rm "$work/patches/0900-test-add-a-file.patch"

# 5. Commits that are not in patches/ are never clobbered.
echo "local commit" >> "$TREE/README.rst"
git -C "$TREE" -c user.name=t -c user.email=t@t commit -q -am "test: local commit"
expect refuse-unexported-commit 1 "not in patches/.*local-commit" tree
[ "$(git -C "$TREE" log -1 --format=%s)" = "test: local commit" ] &&
    pass "local commit kept" || fail "local commit kept" "HEAD moved"

# 5b. Export removes or rewrites only the patch files the tree holds (its
# record: what make tree or the last export left in patches/).  The tree
# is diverged from a patches/ holding 0900 after the series (its next
# commit is the local one): export would remove 0900, which the tree
# never held: refused, nothing written; FORCE=1 exports.  A second export
# after an amend (the edit loop) rewrites what the first wrote.  A patch
# changed in patches/ meanwhile (git pull) is not rewritten.
next_patch=$(printf '%04d' $((patch_count + 1)))-test-local-commit.patch
cp "$work/0900-test-add-a-file.patch" "$work/patches/"
expect export-refuses-unknown 1 \
    "export would remove or rewrite patch files that $TREE does not hold: 0900-test-add-a-file.patch; they changed in patches/ after" \
    export_patches
[ -f "$work/patches/0900-test-add-a-file.patch" ] &&
    [ ! -f "$work/patches/$next_patch" ] &&
    pass "a refused export writes and removes nothing" ||
    fail "a refused export writes and removes nothing" "$(ls "$work/patches" | tail -3)"
expect export-force 0 "1 added, 0 changed, 1 removed" env FORCE=1 "$top/scripts/export-patches.sh"
[ ! -f "$work/patches/0900-test-add-a-file.patch" ] &&
    [ -f "$work/patches/$next_patch" ] &&
    pass "FORCE=1 exports over the unknown file" ||
    fail "FORCE=1 exports over the unknown file" "$(ls "$work/patches" | tail -3)"
echo "local commit, amended" >> "$TREE/README.rst"
git -C "$TREE" -c user.name=t -c user.email=t@t commit -q -a --amend --no-edit
expect export-again-after-amend 0 "0 added, 1 changed, 0 removed" export_patches
last_patch=$(ls "$work/patches" | sed -n "${patch_count}p")
echo "pulled" >> "$work/patches/$last_patch"
expect export-refuses-pulled-change 1 "does not hold: $last_patch;" export_patches
grep -q '^pulled$' "$work/patches/$last_patch" &&
    pass "export keeps the patch changed in patches/" ||
    fail "export keeps the patch changed in patches/" "$last_patch was rewritten"
cp "$top/patches/$last_patch" "$work/patches/"
rm "$work/patches/$next_patch"

# 5a. `make` builds a tree ahead of patches/ as it is, with one line
# saying so; `make tree` (--ahead=refuse) refuses it, and so does
# make-dist.sh: the tarballs ship patches/ as their source.
ahead_head=$(head_of "$TREE")
expect make-builds-tree-ahead 0 \
    "is ahead of patches/ \(1 commit not exported\): building it as it is; 'make export' writes them back\$" \
    tree_for_build
expect make-tree-still-refuses-ahead 1 "not in patches/.*local-commit" \
    "$top/scripts/make-tree.sh" --ahead=refuse
expect dist-refuses-tree-ahead 1 \
    "is ahead of patches/ \(1 commit not exported\): the tarballs ship patches/" dist
echo "ahead edit" >> "$TREE/VERSION"
expect make-builds-dirty-tree-ahead 0 \
    "is ahead of patches/ \(1 commit not exported, uncommitted changes\): building it as it is; commit, then 'make export'" \
    tree_for_build
expect dist-refuses-dirty-tree 1 \
    "is ahead of patches/ \(1 commit not exported, uncommitted changes\)" dist
if [ "$(head_of "$TREE")" = "$ahead_head" ] && grep -q "ahead edit" "$TREE/VERSION"; then
    pass "make leaves the tree ahead as it was"
else
    fail "make leaves the tree ahead as it was" "HEAD $(head_of "$TREE"), expected $ahead_head, or the edit is gone"
fi
git -C "$TREE" checkout -q VERSION
# Ahead and behind at once (a patch added to patches/ too): nothing to
# build as it is, and updating it would drop the commit; refused.
cp "$work/patches/$(ls "$work/patches" | tail -1)" "$work/patches/0900-test-copy.patch"
expect make-refuses-diverged-tree 1 "not in patches/.*local-commit" tree_for_build
rm "$work/patches/0900-test-copy.patch"

# 6. FORCE=1 overrides, but keeps the work on a branch and in the stash.
echo "stash me" >> "$TREE/VERSION"
expect force 0 "kept on branch" env FORCE=1 "$top/scripts/make-tree.sh"
# The commit on its backup branch, the edit in the stash: each checked on
# its own (the stash's parent commit would make the commit reachable too).
backup=$(git -C "$TREE" for-each-ref --format='%(refname:short)' \
    'refs/heads/make-tree-backup-*' | head -1)
if [ "$(head_of "$TREE")" = "$before" ] && [ -n "$backup" ] &&
   [ "$(git -C "$TREE" log -1 --format=%s "$backup")" = "test: local commit" ] &&
   git -C "$TREE" stash list | grep -q "make tree FORCE=1" &&
   git -C "$TREE" stash show -p 'stash@{0}' | grep -q '^+stash me$'; then
    pass "force keeps commits and edits reachable"
else
    fail "force keeps commits and edits reachable" "$(git -C "$TREE" stash list; git -C "$TREE" branch -a)"
fi

# 7. A patch that does not apply is named and the tree stays as it was.
cp "$work/0900-test-add-a-file.patch" "$work/patches/"
sed -e 's/add a file/break a file/' -e 's/^+foo$/+bar/' \
    -e 's/new file mode 100644//' -e 's|--- /dev/null|--- a/no-such-file|' \
    "$work/patches/0900-test-add-a-file.patch" \
    > "$work/patches/0901-test-break-a-file.patch"
expect bad-patch-named 1 "patch 0901-test-break-a-file.patch does not apply" tree
if [ "$(head_of "$TREE")" = "$before" ] &&
   [ -z "$(git -C "$TREE" status --porcelain)" ]; then
    pass "bad patch leaves the tree intact"
else
    fail "bad patch leaves the tree intact" "HEAD $(head_of "$TREE"), expected $before"
fi

# 8. The next run resumes from the staging tree, with the same result as a
# run from scratch.
sed -e 's/add a file/add another file/' -e 's/added.txt/added2.txt/g' \
    "$work/patches/0900-test-add-a-file.patch" \
    > "$work/patches/0901-test-add-another-file.patch"
rm "$work/patches/0901-test-break-a-file.patch"
expect resume 0 "resuming" tree
TREE=$work/qemu-scratch tree >/dev/null 2>&1
if [ "$(head_of "$TREE")" = "$(head_of "$work/qemu-scratch")" ]; then
    pass "resumed tree equals a tree made from scratch"
else
    fail "resumed tree equals a tree made from scratch" \
        "$(head_of "$TREE") != $(head_of "$work/qemu-scratch")"
fi
# 8a. `make` still updates a tree behind patches/ (a patch added).
sed -e 's/add a file/add a third file/' -e 's/added.txt/added3.txt/g' \
    "$work/patches/0900-test-add-a-file.patch" \
    > "$work/patches/0902-test-add-a-third-file.patch"
expect make-updates-tree-behind 0 "applied $((patch_count + 3)) patches" tree_for_build
count=$(git -C "$TREE" rev-list --count "$base_tag..HEAD")
if [ "$count" = "$((patch_count + 3))" ] && [ -f "$TREE/added3.txt" ]; then
    pass "the tree behind now holds the added patch"
else
    fail "the tree behind now holds the added patch" "$count commits after $base_tag"
fi
rm "$work"/patches/09*.patch
# Back to the series alone; FORCE=1 keeps the test commits on a branch.
# A clean tree that is up to date: nothing but the tarball check can keep
# make-tree from rebuilding it below.
FORCE=1 tree >/dev/null 2>&1
count=$(git -C "$TREE" rev-list --count "$base_tag..HEAD")
if [ "$count" = "$patch_count" ] && [ -z "$(git -C "$TREE" status --porcelain)" ]; then
    pass "FORCE=1 brings the tree back to the series ($count commits)"
else
    fail "FORCE=1 brings the tree back to the series" "$count commits, $patch_count patches"
fi
head_before_corrupt=$(head_of "$TREE")

# 9. A tarball that is not the pinned one is rejected before anything is
# unpacked, naming the file and the expected hash, and the tree is
# untouched.  The bad copy is a valid archive: the pinned tarball with one
# more xz stream of zeros after it (tar stops at its end-of-archive
# blocks), so only the sha256 check can stop it; without the check,
# make-tree would rebuild the clean tree on it (the base commit records
# the tarball's hash).
orig=$(QEMU_SOURCE=debian "$top/scripts/fetch-qemu.sh" | cut -d' ' -f2)
mkdir "$work/dist"
{ cat "$orig"; head -c 10240 /dev/zero | xz -0; } > "$work/dist/$DEBIAN_ORIG"
if xz -t "$work/dist/$DEBIAN_ORIG" 2>/dev/null; then
    pass "the altered tarball is a valid xz archive"
else
    fail "the altered tarball is a valid xz archive" "xz -t fails on it"
fi
bad_file_re=$(printf '%s' "$work/dist/$DEBIAN_ORIG" | sed 's/[].+*[^$]/\\&/g')
expect altered-orig-rejected 1 "$bad_file_re: sha256 mismatch: expected $DEBIAN_ORIG_SHA256" \
    env DISTDIR="$work/dist" "$top/scripts/make-tree.sh"
[ "$(head_of "$TREE")" = "$head_before_corrupt" ] && [ ! -d "$TREE.new" ] &&
    pass "a tarball that is not the pinned one leaves the tree untouched" ||
    fail "a tarball that is not the pinned one leaves the tree untouched" "tree or staging changed"

# 10. An upstream tarball whose signature does not verify is rejected; one
# without a signature is rejected too.
rm "$work/dist/$DEBIAN_ORIG"
cp "$orig" "$work/dist/$QEMU_TARBALL"
expect unsigned-tarball-rejected 1 "has no signature" \
    env DISTDIR="$work/dist" "$top/scripts/fetch-qemu.sh"
printf 'not a signature\n' > "$work/dist/$QEMU_TARBALL.sig"
expect bad-signature-rejected 1 "does not verify" \
    env DISTDIR="$work/dist" "$top/scripts/fetch-qemu.sh"
# A pin with QEMU_TARBALL_SHA256 (a checkout whose pin has one): a tarball
# of another sha256 is refused before its signature is looked at.
mkdir "$work/top-sha"
cp -R "$top/upstream" "$work/top-sha/"
zeros=0000000000000000000000000000000000000000000000000000000000000000
echo "QEMU_TARBALL_SHA256=$zeros" >> "$work/top-sha/upstream/qemu.pin"
expect pinned-tarball-sha256-checked 1 "sha256 mismatch: expected $zeros" \
    env QP_TOP="$work/top-sha" DISTDIR="$work/dist" "$top/scripts/fetch-qemu.sh"
# Only the pin sets it: from the environment it is ignored (the signature
# check is what fails).
expect tarball-sha256-not-from-environment 1 "does not verify" \
    env QEMU_TARBALL_SHA256=$zeros DISTDIR="$work/dist" "$top/scripts/fetch-qemu.sh"
# A download that does not verify is removed: a curl that "downloads"
# junk, an empty cache.
mkdir -p "$work/fakebin" "$work/fetch-cache"
printf '#!/bin/sh\nwhile [ $# -gt 1 ]; do [ "$1" = -o ] && out=$2; shift; done\necho junk > "$out"\n' \
    > "$work/fakebin/curl"
chmod +x "$work/fakebin/curl"
expect failed-download-removed 1 "the downloaded $QEMU_TARBALL did not verify \(removed\)" \
    env PATH="$work/fakebin:$PATH" QP_CACHE="$work/fetch-cache" QEMU_SOURCE=upstream \
    "$top/scripts/fetch-qemu.sh"
left=$(find "$work/fetch-cache" -type f | head -3)
[ -z "$left" ] && pass "nothing of the failed download is left" ||
    fail "nothing of the failed download is left" "$left"

# 11. The suite list of tests/run.sh (make check, make check-SUITE) names
# exactly the directories tests/NAME/ that hold a run.sh.
suites=$("$top/tests/run.sh" --list | LC_ALL=C sort | tr '\n' ' ')
dirs=$(cd "$top/tests" && for d in */run.sh; do echo "${d%/run.sh}"; done |
    LC_ALL=C sort | tr '\n' ' ')
if [ "$suites" = "$dirs" ]; then
    pass "every suite is a directory tests/SUITE/ and the other way round"
else
    fail "every suite is a directory tests/SUITE/ and the other way round" \
        "suites: $suites; directories: $dirs"
fi
expect unknown-suite 2 "unknown suite 'no-such-suite'; the suites are: series " \
    "$top/tests/run.sh" no-such-suite

# 12. scripts/build-notifier-variant.sh (the cygwin-linux suite's builds,
# also made by bench/build.sh) against a stand-in QEMU tree whose configure
# records its arguments and writes what QEMU's would, and a stand-in
# ninja: the choice reaches configure, a build configured for it is kept,
# one configured otherwise is redone, bad input loses nothing.
variant=$top/scripts/build-notifier-variant.sh
nv=$work/notifier
mkdir -p "$nv/qemu"
cat > "$nv/qemu/configure" <<'END'
#!/bin/sh
echo "$*" >> "$NV_CALLS"
echo '# QEMU configure log (stand-in)' > config.log
[ -z "${NV_CONFIGURE_FAILS:-}" ] || exit 1
for arg; do
    case $arg in --event-notifier=*) kind=${arg#--event-notifier=} ;; esac
done
echo "#define CONFIG_EVENT_NOTIFIER_$(echo "$kind" | tr '[:lower:]' '[:upper:]')" > config-host.h
: > build.ninja
echo "NINJA=$NV_NINJA" > config-host.mak
END
cat > "$nv/ninja" <<'END'
#!/bin/sh
echo "$*" > "$NV_NINJA_ARGS"
END
chmod +x "$nv/qemu/configure" "$nv/ninja"
export NV_CALLS="$nv/calls" NV_NINJA="$nv/ninja" NV_NINJA_ARGS="$nv/ninja-args"
configure_runs() { wc -l < "$NV_CALLS" | tr -d ' '; }
b=$nv/build-pipe
expect notifier-configure 0 '' "$variant" configure "$nv/qemu" "$b" pipe
if grep -q -- '--target-list= .*--enable-tools --event-notifier=pipe$' "$NV_CALLS"; then
    pass "notifier variant: configured with the minimal arguments and the choice"
else
    fail "notifier variant: configured with the minimal arguments and the choice" \
        "configure got: $(cat "$NV_CALLS")"
fi
expect notifier-configured-kept 0 "already configured for pipe" \
    "$variant" configure "$nv/qemu" "$b" pipe
if [ "$(configure_runs)" = 1 ]; then
    pass "notifier variant: a build of that choice is kept"
else
    fail "notifier variant: a build of that choice is kept" \
        "configure ran $(configure_runs) times"
fi
touch "$b/stale-object.o"
expect notifier-other-choice 0 '' "$variant" configure "$nv/qemu" "$b" eventfd
if [ "$(configure_runs)" = 2 ] && [ ! -e "$b/stale-object.o" ] &&
   grep -q CONFIG_EVENT_NOTIFIER_EVENTFD "$b/config-host.h"; then
    pass "notifier variant: a build of another choice is configured anew"
else
    fail "notifier variant: a build of another choice is configured anew" \
        "configure ran $(configure_runs) times; $(ls "$b")"
fi
expect notifier-unknown-kind 1 \
    "'futex' is not an event notifier \(have: eventfd pipe socketpair\)" \
    "$variant" configure "$nv/qemu" "$b" futex
mkdir "$nv/precious" && echo keep > "$nv/precious/notes.txt"
expect notifier-foreign-dir-refused 1 "not a QEMU build directory; not deleting it" \
    "$variant" configure "$nv/qemu" "$nv/precious" pipe
if [ "$(cat "$nv/precious/notes.txt")" = keep ] && [ "$(configure_runs)" = 2 ]; then
    pass "notifier variant: a directory that is no build is left alone"
else
    fail "notifier variant: a directory that is no build is left alone" \
        "notes.txt: $(cat "$nv/precious/notes.txt" 2>&1); configure ran $(configure_runs) times"
fi
mkdir "$nv/make-build" && : > "$nv/make-build/build.ninja" &&
    echo keep > "$nv/make-build/qemu-i386"
expect notifier-other-build-refused 1 \
    "a QEMU build directory that build-notifier-variant.sh did not make .*; not deleting it" \
    "$variant" configure "$nv/qemu" "$nv/make-build" pipe
if [ "$(cat "$nv/make-build/qemu-i386")" = keep ] && [ "$(configure_runs)" = 2 ]; then
    pass "notifier variant: a build it did not make is left alone"
else
    fail "notifier variant: a build it did not make is left alone" \
        "qemu-i386: $(cat "$nv/make-build/qemu-i386" 2>&1); configure ran $(configure_runs) times"
fi
expect notifier-configure-fails 1 "configure failed in $nv/build-bad" \
    env NV_CONFIGURE_FAILS=1 "$variant" configure "$nv/qemu" "$nv/build-bad" pipe
expect notifier-build 0 '' "$variant" build "$b" test-aio test-event-notifier
if [ "$(cat "$NV_NINJA_ARGS")" = \
     "-C $b -j 2 tests/unit/test-aio tests/unit/test-event-notifier" ]; then
    pass "notifier variant: ninja builds exactly the unit tests asked for"
else
    fail "notifier variant: ninja builds exactly the unit tests asked for" \
        "ninja got: $(cat "$NV_NINJA_ARGS")"
fi
expect notifier-build-unconfigured 1 "not configured" \
    "$variant" build "$nv/precious" test-aio
expect notifier-build-not-a-test 1 "'all' is not a unit test name" \
    "$variant" build "$b" all

# 13. The shared Python modules (scripts/qemu_ports: the console through
# which the acceptance, usbredir and cygwin-wine suites and the benchmarks
# talk to QEMU, and the initramfs writer) and driver.py, without QEMU.
expect shared-python 0 '^all [0-9]+ checks passed$' \
    env PYTHONDONTWRITEBYTECODE=1 "${PYTHON:-/usr/bin/python3}" \
    "$top/tests/tooling/shared-python.py"

# 14. upstream/ holds QEMU's pin and key alone; every other input is pinned
# in pins/, and nothing names a pin file at its old place.
have=$(cd "$top/upstream" && ls | tr '\n' ' ')
if [ "$have" = "qemu-signing-key.asc qemu.pin " ]; then
    pass "upstream/ holds qemu.pin and its signing key only"
else
    fail "upstream/ holds qemu.pin and its signing key only" "upstream/: $have"
fi
stale=$(cd "$top" && for f in pins/*; do
    grep -rn --exclude-dir=.git --exclude-dir=patches --exclude-dir=build \
        --exclude-dir=qemu "upstream/${f#pins/}" . || true
done)
if [ -z "$stale" ]; then
    pass "no file names a pins/ file under upstream/"
else
    fail "no file names a pins/ file under upstream/" "$stale"
fi

# 15. A missing pin file is an error that names it, even when an earlier
# file holds the package asked for: never an empty pin list.  The package
# is a scratch one whose .deb is in a scratch DISTDIR, so that without the
# check fetch.sh would succeed offline.
mkdir "$work/debs"
echo 'not a real package' > "$work/debs/qp-scratch_1.0_all.deb"
printf 'qp-scratch 1.0 all %s\n' "$(sha256sum < "$work/debs/qp-scratch_1.0_all.deb" |
    cut -d' ' -f1)" > "$work/scratch-inputs"
fetch_scratch() {
    env DISTDIR="$work/debs" QP_CACHE="$work/cache" ACCEPTANCE_INPUTS="$*" \
        "$top/tests/acceptance/fetch.sh" deb qp-scratch all
}
expect pinned-scratch-package-found 0 "^$work/debs/qp-scratch_1.0_all.deb\$" \
    fetch_scratch "$work/scratch-inputs"
expect missing-pin-file-named 1 "pin file not found: $work/no-such-inputs" \
    fetch_scratch "$work/scratch-inputs" "$work/no-such-inputs"
# A malformed row is refused before anything is downloaded or added to
# apt or dpkg (as root fetch.sh would add a component's apt source): a
# suite written in the component's column, an unknown architecture, a
# sha256 that cannot be one, a missing field.
scratch_sha=$(cut -d' ' -f4 "$work/scratch-inputs")
pin_refused() {
    pr_name=$1 pr_pattern=$2
    shift 2
    printf '%s\n' "$*" > "$work/bad-inputs"
    expect "$pr_name" 1 "$pr_pattern" env DISTDIR="$work/debs" QP_CACHE="$work/cache" \
        ACCEPTANCE_INPUTS="$work/bad-inputs" "$top/tests/acceptance/fetch.sh" \
        deb qp-scratch "$3"
}
pin_refused pin-suite-as-component "component 'sid' is none of main" \
    qp-scratch 1.0 all "$scratch_sha" sid
pin_refused pin-unknown-arch "dpkg knows no architecture 'bogusarch'" \
    qp-scratch 1.0 bogusarch "$scratch_sha"
pin_refused pin-bad-sha256 "sha256 '${scratch_sha}0' is not 64" \
    qp-scratch 1.0 all "${scratch_sha}0"
pin_refused pin-missing-field "has 3 fields" qp-scratch 1.0 all

# 16. The Cygwin suites skip only when no toolchain is cached; a check that
# fails (here: its pin file missing, in a scratch copy of the scripts) is
# a failure ("not ok") with the script's message.
mkdir -p "$work/top/scripts" "$work/top/upstream" "$work/top/pins"
cp "$top/scripts/lib.sh" "$top/scripts/cygwin-toolchain.sh" "$work/top/scripts/"
cp "$top/upstream/qemu.pin" "$work/top/upstream/"
toolchain_check() {
    env QP_CACHE="$work/cache" sh -c \
        'top=$1; . "$2/tests/testlib.sh"; cygwin_toolchain cygwin-probe' \
        sh "$work/top" "$top" || true
}
expect cygwin-toolchain-missing-pins-fail 0 '^not ok [0-9]+ - cygwin-probe$' \
    toolchain_check
expect cygwin-toolchain-missing-pins-named 0 \
    "^# .*pin file .*/pins/cygwin-toolchain-sources not found" toolchain_check
cp "$top/pins/cygwin-toolchain-sources" "$work/top/pins/"
expect cygwin-toolchain-not-cached-skips 0 \
    "^ok [0-9]+ - cygwin-probe # SKIP no Cygwin cross toolchain in the cache" \
    toolchain_check
[ ! -e "$work/cache" ] && pass "the toolchain check writes nothing" ||
    fail "the toolchain check writes nothing" "$(find "$work/cache" | head)"

# 17. Debian packages are installed only after a dry run in which apt
# removes nothing (scripts/lib.sh, used by install-deps.sh, sysroot.sh and
# cygwin-toolchain.sh), with stand-ins for dpkg-query (nothing installed),
# id (uid $QP_STUB_UID, default root) and apt-get (a dry run asked for
# qp-conflicting removes gcc-12; what it really installs is logged).
mkdir "$work/stubs"
cat > "$work/stubs/apt-get" <<'EOT'
#!/bin/sh
case " $* " in
*" -s "*)
    case " $* " in *" qp-conflicting "*) echo "Remv gcc-12 [12.2.0-14]" ;; esac
    echo "Inst $*" ;;
*) echo "$*" >> "$QP_STUB_LOG" ;;
esac
EOT
printf '#!/bin/sh\nexit 1\n' > "$work/stubs/dpkg-query"
printf '#!/bin/sh\necho "${QP_STUB_UID:-0}"\n' > "$work/stubs/id"
chmod +x "$work/stubs/apt-get" "$work/stubs/dpkg-query" "$work/stubs/id"
installs=$work/stub-installs
# install_with_stubs UID PACKAGE...: install_missing_packages as user UID
install_with_stubs() {
    stub_uid=$1
    shift
    env PATH="$work/stubs:$PATH" QP_STUB_LOG="$installs" QP_STUB_UID="$stub_uid" sh -c \
        'QP_TOP=$1; shift; . "$QP_TOP/scripts/lib.sh"; install_missing_packages "$@"' \
        sh "$top" "$@"
}
expect apt-removal-refused 1 "would REMOVE: gcc-12; not doing that" \
    install_with_stubs 0 qp-plain qp-conflicting
expect not-root-prints-command 1 \
    "as root run: apt-get install -y --no-install-recommends qp-plain\$" \
    install_with_stubs 1000 qp-plain
if [ ! -e "$installs" ]; then
    pass "nothing installed when apt would remove a package or not root"
else
    fail "nothing installed when apt would remove a package or not root" \
        "$(cat "$installs")"
fi
expect apt-install-without-removals 0 "installing: qp-plain" \
    install_with_stubs 0 qp-plain
if [ "$(cat "$installs" 2>/dev/null)" = \
     "install -y -q --no-install-recommends qp-plain" ]; then
    pass "installed with apt-get install --no-install-recommends"
else
    fail "installed with apt-get install --no-install-recommends" \
        "apt-get ran: $(cat "$installs" 2>/dev/null)"
fi

# 18. profiles/NAME.common files are fragments, never profiles: no script
# takes one as a profile, and the MIPS one refuses to be read on its own.
expect fragment-not-a-profile 1 "'mips64el.common' is not a profile name" \
    "$top/scripts/make-rpm-spec.sh" mips64el.common
expect mips64el-fragment-alone-refused 1 \
    "DIST_ARCH is '', not mips64el-n32 or mips64el-n64" \
    env -u DIST_ARCH TOP="$top" sh -c '. "$TOP/profiles/mips64el.common"'


# 19. install-deps.sh checks every profile name before it installs or
# prints anything (its lists are read in command substitutions).
expect install-deps-unknown-profile 1 "no profile 'no-such-profile'" \
    "$top/scripts/install-deps.sh" linux-x86_64 no-such-profile
expect install-deps-fragment-refused 1 "'mips64el.common' is not a profile name" \
    "$top/scripts/install-deps.sh" mips64el.common

# 20. The generators and the series check take what they can use and say
# why not otherwise: one profile at most, a profile that has what they
# read, and --help from the script's header.
expect rpm-spec-needs-fedora-packages 1 \
    "profile linux-i386 sets no FEDORA_PACKAGES" \
    "$top/scripts/make-rpm-spec.sh" linux-i386
expect rpm-spec-one-profile 1 "usage: .*make-rpm-spec.sh \\[PROFILE\\]" \
    "$top/scripts/make-rpm-spec.sh" loongnix-n32 extra
expect cygport-empty-profile-refused 1 "usage: .*make-cygport.sh \\[PROFILE\\]" \
    "$top/scripts/make-cygport.sh" ''
expect rpm-spec-qemu-i386-only 1 \
    "profile linux-x86_64 builds more than qemu-i386" \
    "$top/scripts/make-rpm-spec.sh" linux-x86_64
expect rpm-spec-empty-series 1 "no patches in /nonexistent: nothing to package" \
    env PATCHES=/nonexistent "$top/scripts/make-rpm-spec.sh"
expect cygport-empty-series 1 "no patches in /nonexistent: nothing to package" \
    env PATCHES=/nonexistent "$top/scripts/make-cygport.sh"
expect cygport-help 0 "^Usage: scripts/make-cygport.sh \\[PROFILE\\]" \
    "$top/scripts/make-cygport.sh" --help
expect series-builds-native-only-profile 1 \
    "profile loongnix-n32 is not built on this machine" \
    "$top/scripts/check-series-builds.sh" linux-x86_64 loongnix-n32
expect series-builds-option-refused 1 "usage: .*check-series-builds.sh \\[--list\\]" \
    "$top/scripts/check-series-builds.sh" -x
# Each profile is built from the patch with which its host builds on:
# mips64el-n32 from 0002 (the N32 TCG fix), cygwin from 0011.
expect series-builds-n32-skips-0001 0 "^0001 linux-x86_64\$" \
    "$top/scripts/check-series-builds.sh" --list
expect series-builds-n32-from-0002 0 "^0002 linux-x86_64 mips64el-n32\$" \
    "$top/scripts/check-series-builds.sh" --list
expect series-builds-cygwin-skips-0010 0 "^0010\$" \
    "$top/scripts/check-series-builds.sh" --list cygwin
expect series-builds-cygwin-from-0011 0 "^0011 cygwin\$" \
    "$top/scripts/check-series-builds.sh" --list cygwin
expect series-builds-help 0 "^Usage: scripts/check-series-builds.sh" \
    "$top/scripts/check-series-builds.sh" -h
expect series-builds-profile-twice-once 0 "^0002 linux-x86_64 mips64el-n32\$" \
    "$top/scripts/check-series-builds.sh" --list linux-x86_64 mips64el-n32 linux-x86_64

# 21. Every script of scripts/ that sources lib.sh answers --help with its
# header comment (lib.sh does it, before the script does anything).
for script in "$top"/scripts/*.sh; do
    grep -q '/lib\.sh"$' "$script" || continue
    name=$(basename "$script" .sh)
    want=$(sed -n '2s/^# \{0,1\}//p' "$script")
    got=$("$script" --help 2>&1)
    status=$?
    if [ "$status" = 0 ] && [ "$(printf '%s\n' "$got" | head -n 1)" = "$want" ]; then
        pass "$name --help prints its header"
    else
        fail "$name --help prints its header" "exit $status: $(printf '%s\n' "$got" | head -n 3)"
    fi
done

finish
