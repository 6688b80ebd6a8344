#!/bin/sh
# Create or update $TREE (default qemu/): a git repository whose first commit
# is the verified upstream tarball, tagged $BASE_TAG (v + QEMU_VERSION of
# upstream/qemu.pin), followed by one commit per file in patches/, applied
# with git am in name order; what a patch carries below its "---" line
# (remarks on how it was tested) becomes the commit's git note, which
# `make export` writes back there.
#
# Commits are reproducible: fixed identities, dates from the pin and from each
# patch, no user git configuration.  The new tree is assembled in $TREE.new
# and only then moved into place, so a patch that does not apply leaves the
# existing tree as it was; a later run resumes from $TREE.new.
#
# An existing tree with uncommitted edits, or with commits that are not in
# patches/, is left alone unless FORCE=1; even then the edits are kept in
# git stash and the commits on a backup branch.
#
# Usage: make-tree.sh [--ahead=refuse|--ahead=build]
#   --ahead=refuse (default, `make tree`): such a tree is refused (exit 1).
#   --ahead=build (`make`, `make check`): a tree ahead of patches/ -- every
#     patch applied, then commits not exported or uncommitted changes, the
#     edit loop -- is left as it is for the build, with one line saying so
#     (exit 0).  A tree behind patches/ is still updated, and any other
#     tree holding work not in patches/ is refused as with --ahead=refuse.
set -eu
. "$(dirname "$0")/lib.sh"

FORCE=${FORCE:-0}
case $# in
    0) ahead=refuse ;;
    1) case $1 in
           --ahead=refuse) ahead=refuse ;;
           --ahead=build) ahead=build ;;
           *) die "unknown argument '$1' (usage: make-tree.sh [--ahead=refuse|--ahead=build])" ;;
       esac ;;
    *) die "too many arguments (usage: make-tree.sh [--ahead=refuse|--ahead=build])" ;;
esac
STAGING=$TREE.new

fetched=$("$TOP/scripts/fetch-qemu.sh")
source_kind=${fetched%% *} tarball=${fetched#* }
source_sha256=$(sha256_of "$tarball")
import_message="Import QEMU $QEMU_VERSION ($source_kind source)

$(basename "$tarball")
sha256 $source_sha256"

# Does repository $1 hold a base commit imported from this very tarball?
has_this_base() {
    git_pinned -C "$1" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null &&
        git_pinned -C "$1" log -1 --format=%B "$BASE_TAG" |
            grep -qx "sha256 $source_sha256"
}

# Print how many commits of repository $1 after the tag are, byte for byte,
# the first patches of the series (file names aside); if one is not, or
# there are more commits than patches, print the first such commit's
# name and fail.
applied_prefix_length() {
    match=$(series_match "$1") || exit 1
    matched=${match%% *} rest=${match#* }
    if [ "${rest%% *}" = 0 ]; then
        echo "$matched"
    else
        echo "${rest#* }"
        return 1
    fi
}

# Refuse to touch an existing tree that holds work not in patches/.
check_existing_tree() {
    git_pinned -C "$TREE" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null ||
        die "$TREE exists but was not made by 'make tree' (no tag $BASE_TAG); move it away"
    if rebase_in_progress "$TREE"; then
        [ "$FORCE" = 1 ] ||
            die "$TREE has a git am/rebase in progress; finish or abort it (or FORCE=1)"
        git_pinned -C "$TREE" am --abort 2>/dev/null ||
            git_pinned -C "$TREE" rebase --abort 2>/dev/null || true
    fi
    dirty=$(git_pinned -C "$TREE" status --porcelain)
    if [ -n "$dirty" ]; then
        [ "$FORCE" = 1 ] ||
            die "$TREE has uncommitted changes; commit them and run 'make export', or discard them, or FORCE=1 (keeps them in git stash):
$dirty"
        # The stash is the user's: their identity, or ours if they have none.
        git -C "$TREE" var GIT_COMMITTER_IDENT >/dev/null 2>&1 ||
            set -- -c user.name="make tree" -c user.email=tree@qemu-ports.invalid
        git -C "$TREE" "$@" stash push -q --include-untracked \
            -m "make tree FORCE=1: uncommitted changes" ||
            die "could not stash the uncommitted changes in $TREE"
        say "FORCE=1: uncommitted changes saved: git -C $TREE stash list"
    fi
    if ! result=$(applied_prefix_length "$TREE"); then
        backup=make-tree-backup-$(date +%Y%m%d-%H%M%S)
        [ "$FORCE" = 1 ] ||
            die "$TREE has commits that are not in patches/ (first: $result); run 'make export' to keep them, or FORCE=1 (keeps them on a branch)"
        git_pinned -C "$TREE" branch "$backup" HEAD
        say "FORCE=1: previous commits kept on branch $backup"
    fi
}

# Import the tarball as the base commit of a new repository $STAGING.
import_tarball() {
    rm -rf "$STAGING" "$STAGING.unpack"
    mkdir -p "$STAGING.unpack"
    say "unpacking $tarball"
    tar --no-same-owner -xJf "$tarball" -C "$STAGING.unpack"
    [ -f "$STAGING.unpack/$QEMU_TOPDIR/VERSION" ] ||
        die "$tarball does not unpack to $QEMU_TOPDIR/"
    mv "$STAGING.unpack/$QEMU_TOPDIR" "$STAGING.import"
    rm -rf "$STAGING.unpack"
    say "importing the source tree as the base commit"
    git_pinned -C "$STAGING.import" init -q -b qemu-ports
    # -f: the tarball ships .gitignore files that match files it contains.
    git_pinned -C "$STAGING.import" add -A -f
    GIT_AUTHOR_NAME=${BASE_COMMIT_IDENTITY% <*} \
    GIT_AUTHOR_EMAIL=$(expr "$BASE_COMMIT_IDENTITY" : '.*<\(.*\)>') \
    GIT_AUTHOR_DATE=$BASE_COMMIT_DATE GIT_COMMITTER_DATE=$BASE_COMMIT_DATE \
        git_pinned -C "$STAGING.import" commit -q -m "$import_message"
    git_pinned -C "$STAGING.import" tag "$BASE_TAG"
    # One pack instead of ~40000 loose objects; no delta search (seconds).
    git_pinned -C "$STAGING.import" repack -a -d -q --window=0
    mv "$STAGING.import" "$STAGING"
}

# Bring $STAGING to "base + every patch".
assemble_staging() {
    if [ -d "$STAGING" ] && has_this_base "$STAGING"; then
        say "resuming in $STAGING"
        git_pinned -C "$STAGING" am --abort 2>/dev/null || true
        git_pinned -C "$STAGING" reset -q --hard
        applied=$(applied_prefix_length "$STAGING") || {
            git_pinned -C "$STAGING" reset -q --hard "$BASE_TAG"
            applied=0
        }
    elif [ -d "$TREE" ] && has_this_base "$TREE"; then
        rm -rf "$STAGING"
        # --no-local: copy through git's pack protocol, which is safe while
        # a background "git gc" started in $TREE repacks its objects.
        git_pinned clone -q --no-local --no-checkout "$TREE" "$STAGING"
        git_pinned -C "$STAGING" checkout -q -B qemu-ports "$BASE_TAG"
        applied=0
    else
        rm -rf "$STAGING.import"
        import_tarball
        applied=0
    fi
    n=0
    for patch in "$PATCHES"/*.patch; do
        [ -f "$patch" ] || continue
        n=$((n + 1))
        [ "$n" -gt "$applied" ] || continue
        if ! log=$(git_pinned -C "$STAGING" am -q --no-3way --keep-cr \
                --committer-date-is-author-date "$patch" 2>&1); then
            git_pinned -C "$STAGING" am --abort 2>/dev/null || true
            printf '%s\n' "$log" >&2
            die "patch $(basename "$patch") does not apply; $TREE is unchanged (fix the patch, then run 'make tree' again)"
        fi
        # git am drops what is below "---": the note goes back on the commit.
        notes=$(patch_notes "$patch")
        [ -z "$notes" ] ||
            printf '%s\n' "$notes" |
                GIT_AUTHOR_NAME='qemu-ports tree' \
                GIT_AUTHOR_EMAIL='tree@qemu-ports.invalid' \
                git_pinned -C "$STAGING" notes add -F - HEAD
    done
    say "applied $n patches"
}

if [ -d "$TREE" ]; then
    if has_this_base "$TREE"; then
        # One comparison with patches/ settles the common cases.
        state=$(tree_vs_series "$TREE") || exit 1
        case $state in
            same)
                record_series "$TREE"
                say "$TREE is up to date ($(series_files | wc -l) patches on $BASE_TAG)"
                rm -rf "$STAGING"
                exit 0 ;;
            ahead*)
                if [ "$ahead" = build ]; then
                    export_step="'make export' writes them back"
                    case $state in
                        *uncommitted*) export_step="commit, then $export_step" ;;
                    esac
                    # Every file of patches/ is one of its commits.
                    record_series "$TREE"
                    say "$TREE is ahead of patches/ ${state#ahead }: building it as it is; $export_step"
                    exit 0
                fi ;;
        esac
    fi
    check_existing_tree
    if has_this_base "$TREE" &&
       [ "$(applied_prefix_length "$TREE")" = "$(series_files | wc -l)" ]; then
        record_series "$TREE"
        say "$TREE is up to date ($(series_files | wc -l) patches on $BASE_TAG)"
        rm -rf "$STAGING"
        exit 0
    fi
fi

assemble_staging

if [ -d "$TREE" ]; then
    # The tree was checked above: nothing in it is lost by moving its HEAD.
    git_pinned -C "$TREE" fetch -q --no-tags "$STAGING" qemu-ports
    git_pinned -C "$TREE" tag -f "$BASE_TAG" \
        "$(git_pinned -C "$STAGING" rev-parse "$BASE_TAG")" >/dev/null
    git_pinned -C "$TREE" reset -q --hard FETCH_HEAD
    # The notes of the series' commits (remarks below "---") come along
    # (after the reset: this fetch replaces FETCH_HEAD).
    if git_pinned -C "$STAGING" rev-parse -q --verify refs/notes/commits >/dev/null; then
        git_pinned -C "$TREE" fetch -q --no-tags "$STAGING" \
            +refs/notes/commits:refs/notes/commits
    else
        git_pinned -C "$TREE" update-ref -d refs/notes/commits 2>/dev/null || true
    fi
    rm -rf "$STAGING"
else
    mv "$STAGING" "$TREE"
fi
# The notes follow commits that git commit --amend or git rebase rewrite
# in the edit loop (the tree's own configuration, not the user's).
git_pinned -C "$TREE" config notes.rewriteRef refs/notes/commits
record_series "$TREE"
say "$TREE: $(git_pinned -C "$TREE" describe --tags) ($source_kind source)"
