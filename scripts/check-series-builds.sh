#!/bin/sh
# Check that every commit of the series builds on its own (bisectability):
# each commit of $TREE after $BASE_TAG, oldest first, is checked out in a
# scratch clone and built with scripts/build-profile.sh for each profile
# given (default: linux-x86_64 mips64el-n32), incrementally, in
# build/series-check/PROFILE.  Stops at the first commit that does not
# build, names it and exits 1; qemu/ and build/PROFILE are not touched.
#
# Usage: scripts/check-series-builds.sh [PROFILE...]
#   PROFILE       a profile this machine builds from Debian packages (one
#                 with DEBIAN_PACKAGES): not loongnix-n32 (native MIPS64
#                 only); cygwin builds only from the patch that makes
#                 Cygwin a host (0011), so it needs
#                 SERIES_RANGE=<that commit>^..HEAD
#   SERIES_RANGE  the commits to check, as git rev-list takes them
#                 (default: $BASE_TAG..HEAD of $TREE)
#
# Slow (every commit, every profile; the first pass builds everything),
# so `make check` does not run it: run it before sending a series
# (`make check-series-builds`, docs/development.rst).
set -eu
. "$(dirname "$0")/lib.sh"

case ${1:-} in -h|--help) header_help; exit 0 ;; esac
[ $# -gt 0 ] || set -- linux-x86_64 mips64el-n32
for profile; do
    case $profile in
    -*) die "usage: $0 [PROFILE...] (no options but --help; see --help)" ;;
    cygwin)
        # Commits before the one that makes Cygwin a host cannot build.
        [ -n "${SERIES_RANGE:-}" ] ||
            die "profile cygwin builds only from patch 0011 on: give SERIES_RANGE=<commit of 0011>^..HEAD" ;;
    esac
    (
        profile_file=$(profile_file "$profile") || exit 1
        DEBIAN_PACKAGES=''
        . "$profile_file"
        [ -n "$(echo $DEBIAN_PACKAGES)" ] ||
            die "profile $profile is not built on this machine (no DEBIAN_PACKAGES)"
    ) || exit 1
done
git_pinned -C "$TREE" rev-parse -q --verify "refs/tags/$BASE_TAG" \
    >/dev/null 2>&1 || die "$TREE is not a tree made by 'make tree'"
range=${SERIES_RANGE:-$BASE_TAG..HEAD}
commits=$(git_pinned -C "$TREE" rev-list --reverse "$range") ||
    die "'$range' is not a commit range of $TREE"
[ -n "$commits" ] || die "no commits in $range"

scratch=$TOP/build/series-check
mkdir -p "$scratch"
if [ ! -d "$scratch/tree/.git" ]; then
    # --shared: the objects stay in $TREE; only a checkout is written.
    git_pinned clone -q --shared --no-checkout "$TREE" "$scratch/tree"
fi
git_pinned -C "$scratch/tree" fetch -q --no-tags "$TREE" \
    "+refs/heads/*:refs/remotes/tree/*" "+refs/tags/*:refs/tags/*"

total=$(printf '%s\n' $commits | wc -l)
n=0
for commit in $commits; do
    n=$((n + 1))
    subject=$(git_pinned -C "$TREE" log -1 --format=%s "$commit")
    git_pinned -C "$scratch/tree" checkout -q --force --detach "$commit"
    for profile; do
        say "[$n/$total] $profile: $subject"
        if ! TREE=$scratch/tree BUILD_DIR=$scratch/$profile \
                "$TOP/scripts/build-profile.sh" "$profile" \
                > "$scratch/$profile.log" 2>&1; then
            tail -n 30 "$scratch/$profile.log" >&2
            die "commit $n of $total does not build for $profile: $subject ($(git_pinned -C "$TREE" rev-parse --short "$commit")); log: $scratch/$profile.log"
        fi
    done
done
say "all $total commits build for: $*"
