#!/bin/sh
# Write the commits of $TREE after $BASE_TAG back to patches/, one file each,
# in git format-patch form.  Unchanged commits give byte-identical files;
# files of commits that no longer exist are removed.
set -eu
. "$(dirname "$0")/lib.sh"

git_pinned -C "$TREE" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null ||
    die "$TREE is not a tree made by 'make tree'"
if [ -d "$TREE/.git/rebase-apply" ] || [ -d "$TREE/.git/rebase-merge" ]; then
    die "$TREE has a git am/rebase in progress; finish it first"
fi
[ -z "$(git_pinned -C "$TREE" status --porcelain --untracked-files=no)" ] ||
    warn "$TREE has uncommitted changes; they are not exported (commit them first)"

exported=$(mktemp -d)
trap 'rm -rf "$exported"' EXIT
export_series "$TREE" "$exported"

mkdir -p "$PATCHES"
added=0 changed=0 removed=0
for old in $(series_files); do
    if [ ! -f "$exported/$(basename "$old")" ]; then
        rm "$old"
        removed=$((removed + 1))
    fi
done
for new in "$exported"/*.patch; do
    [ -f "$new" ] || continue
    old=$PATCHES/$(basename "$new")
    if [ ! -f "$old" ]; then
        added=$((added + 1))
    elif cmp -s "$new" "$old"; then
        continue
    else
        changed=$((changed + 1))
    fi
    cp "$new" "$old"
done
say "$(series_files | wc -l) patches; $added added, $changed changed, $removed removed"
