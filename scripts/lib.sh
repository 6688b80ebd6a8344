# Shared helpers for the qemu-ports scripts.  Source it; POSIX sh.
#
# Directories (all overridable from the environment):
#   TOP       the qemu-ports checkout (QP_TOP, for scripts not one level down)
#   TREE      the generated QEMU git tree            (default: $TOP/qemu)
#   PATCHES   the patch series                       (default: $TOP/patches)
#   DISTDIR   a distfile directory searched first; may be read-only
#   QP_CACHE  writable cache; downloads go to $QP_CACHE/distfiles
#                                                    (default: ~/.cache/qemu-ports)

TOP=${QP_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
TREE=${TREE:-$TOP/qemu}
PATCHES=${PATCHES:-$TOP/patches}
QP_CACHE=${QP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qemu-ports}
DISTDIR=${DISTDIR:-}

# The pinned upstream release: QEMU_VERSION, its tarballs and how they are
# verified.  BASE_TAG names the generated tree's base commit, the release
# as imported, after which the series' commits come.  The pin alone sets
# QEMU_TARBALL_SHA256 (none from the environment).
QEMU_TARBALL_SHA256=''
. "$TOP/upstream/qemu.pin"
BASE_TAG=v$QEMU_VERSION

# Where qemu-i386 looks first for the absolute paths a guest opens (its
# ELF interpreter, libraries, files): QEMU's --interp-prefix, %M being
# the target name, so /usr/i386-linux-gnu.  The directory that Debian's
# libc6:i386 and the other i386 packages unpack into works as it is
# (their symlinks are relative); -L or QEMU_LD_PREFIX override it.
INTERP_PREFIX='/usr/%M-linux-gnu'

prog=$(basename "$0")

die() {
    printf '%s: error: %s\n' "$prog" "$*" >&2
    exit 1
}

warn() {
    printf '%s: warning: %s\n' "$prog" "$*" >&2
}

say() {
    printf '%s: %s\n' "$prog" "$*" >&2
}

# header_help: print the calling script's header comment (from line 2 to
# the first line that is not a comment) without the '# ', as its --help.
header_help() {
    sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
}

# Every script that sources this file answers -h or --help as its first
# argument with its header comment, and does nothing else.
case ${1:-} in
    -h|--help) header_help; exit 0 ;;
esac

# Git with no user or system configuration, so that commits and exported
# patches depend only on what we pass here.
git_pinned() {
    GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
    GIT_COMMITTER_NAME='qemu-ports tree' \
    GIT_COMMITTER_EMAIL='tree@qemu-ports.invalid' \
    git -c core.autocrlf=false -c core.symlinks=true -c core.fileMode=true \
        -c advice.detachedHead=false -c gc.auto=0 "$@"
}

# The series, in application order (names sort by their NNNN- prefix),
# one path a line: count or read it by lines.  To loop over the files,
# glob "$PATCHES"/*.patch instead (their unique NNNN- prefixes sort alike
# in every locale): a path with a space would split in $(series_files).
series_files() {
    LC_ALL=C ls "$PATCHES"/*.patch 2>/dev/null || true
}

# Export the commits of repository $1 after $BASE_TAG into directory $2 in
# the exact form patches/ holds them.  Everything that could vary between
# machines (commit ids, git version, numbering, abbreviation) is pinned.
# A commit's git note (refs/notes/commits: remarks on how the patch was
# tested) goes below the "---" line, where git am drops it again; see
# patch_notes.
export_series() {
    git_pinned -C "$1" format-patch -q --zero-commit --no-signature \
        --no-numbered --full-index --no-renames --no-thread \
        --no-cover-letter --filename-max-length=80 --notes \
        -o "$2" "$BASE_TAG..HEAD"
}

# patch_notes PATCH: print the note that export_series wrote below the
# "---" line of PATCH (format-patch --notes: an empty line, "Notes:",
# then the note indented by 4 spaces), without the indent; nothing if
# the patch has none.
patch_notes() {
    awk '
        state == 0 && /^---$/ { state = 1; next }
        state == 1 { state = ($0 == "") ? 2 : 9; next }
        state == 2 { state = ($0 == "Notes:") ? 3 : 9; next }
        state == 3 && /^    / { print substr($0, 5); next }
        state >= 3 { exit }' "$1"
}

# profile_names: the profiles, one a line: the files in profiles/ whose
# names have no dot.  NAME.common files there are fragments that profiles
# source (. "$TOP/profiles/NAME.common"), not profiles.
profile_names() {
    for file in "$TOP"/profiles/*; do
        case ${file##*/} in *.*) ;; *) [ ! -f "$file" ] || echo "${file##*/}" ;; esac
    done
}

# series_match REPO: compare the commits of git repository REPO after
# $BASE_TAG with the series in $PATCHES, byte for byte (file names aside).
# Prints "MATCHED EXTRA NEXT": the first MATCHED commits are the first
# MATCHED patches of the series, EXTRA commits follow them, and NEXT is
# the file name git format-patch gives the first of those ("-" when
# EXTRA is 0).  REPO must hold the tag; dies when git cannot export.
series_match() {
    sm_exported=$(mktemp -d) || die "cannot make a temporary directory"
    if ! export_series "$1" "$sm_exported"; then
        rm -rf "$sm_exported"
        die "cannot export the commits of $1 after $BASE_TAG"
    fi
    exported_match "$sm_exported"
    rm -rf "$sm_exported"
}

# exported_match DIR: series_match for commits export_series already
# wrote into DIR.
exported_match() {
    sm_total=0 sm_matched=0 sm_next=-
    # format-patch numbers the files 0001-, 0002-, ...: the glob's order.
    for sm_commit in "$1"/*.patch; do
        [ -f "$sm_commit" ] || continue
        sm_total=$((sm_total + 1))
        [ "$sm_next" = - ] || continue
        sm_patch=$(series_files | sed -n "${sm_total}p")
        if [ -n "$sm_patch" ] && cmp -s "$sm_patch" "$sm_commit"; then
            sm_matched=$sm_total
        else
            sm_next=$(basename "$sm_commit")
        fi
    done
    echo "$sm_matched $((sm_total - sm_matched)) $sm_next"
}

# The record of the patches/ files a tree holds, in the tree's own git
# directory (never in its work tree): one "SHA256  NAME" line per file.
# make-tree.sh writes it whenever the tree holds every patch of patches/
# (made, updated, up to date, ahead), export-patches.sh after it wrote
# patches/.  export-patches.sh removes or rewrites only files recorded
# there: any other came into patches/ after the tree last saw it (git
# pull, an edit by hand) and would be lost.
# series_record_path REPO: the record's path (it may not exist).
series_record_path() {
    echo "$(git_pinned -C "$1" rev-parse --absolute-git-dir)/qemu-ports-series"
}

# record_series REPO: write REPO's record of the files now in $PATCHES.
# Where it cannot (a tree of another user), it warns: without a record,
# export-patches.sh only refuses more.
record_series() {
    rs_path=$(series_record_path "$1") &&
    for rs_patch in "$PATCHES"/*.patch; do
        [ -f "$rs_patch" ] || continue
        printf '%s  %s\n' "$(sha256_of "$rs_patch")" "$(basename "$rs_patch")"
    done 2>/dev/null > "$rs_path.tmp" && mv "$rs_path.tmp" "$rs_path" || {
        rm -f "$rs_path.tmp" 2>/dev/null
        warn "cannot record in $1's git directory which patches/ files it holds; 'make export' will want FORCE=1"
    }
}

# series_recorded REPO FILE: FILE, name and contents, is in REPO's record.
series_recorded() {
    grep -qxF "$(sha256_of "$2")  $(basename "$2")" \
        "$(series_record_path "$1")" 2>/dev/null
}

# rebase_in_progress REPO: a git am, rebase or merge of REPO stopped
# half-way (also in a linked worktree, whose state is in its own git
# directory).
rebase_in_progress() {
    rp_git_dir=$(git_pinned -C "$1" rev-parse --absolute-git-dir) || return 1
    [ -d "$rp_git_dir/rebase-apply" ] || [ -d "$rp_git_dir/rebase-merge" ]
}

# tree_vs_series REPO: how git repository REPO, made by make-tree.sh,
# stands to the series in $PATCHES.  Prints one line:
#   same            every patch, nothing more, no uncommitted changes
#   ahead DETAIL    every patch, then work patches/ does not hold: DETAIL
#                   is "N commit(s) not exported", "uncommitted changes"
#                   (untracked files included) or both
#   other DETAIL    anything else (patches missing, a commit that is not
#                   the patch at its place, a git am/rebase in progress,
#                   no tag $BASE_TAG); DETAIL says what
# The one place that decides whether a tree is ahead of patches/.
tree_vs_series() {
    git_pinned -C "$1" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null || {
        echo "other (no tag $BASE_TAG: not made by 'make tree')"
        return 0
    }
    if rebase_in_progress "$1"; then
        echo "other (a git am/rebase in progress)"
        return 0
    fi
    tv_match=$(series_match "$1") || exit 1
    tv_matched=${tv_match%% *} tv_extra=${tv_match#* }
    tv_next=${tv_extra#* } tv_extra=${tv_extra%% *}
    tv_series=$(series_files | wc -l)
    if [ "$tv_matched" != "$tv_series" ]; then
        if [ "$tv_extra" = 0 ]; then
            echo "other ($tv_matched of $tv_series patches applied)"
        else
            echo "other (first commit not in patches/: $tv_next)"
        fi
        return 0
    fi
    tv_detail=''
    case $tv_extra in
        0) ;;
        1) tv_detail='1 commit not exported' ;;
        *) tv_detail="$tv_extra commits not exported" ;;
    esac
    # No optional locks: status only reads, even in a tree of another user.
    [ -z "$(GIT_OPTIONAL_LOCKS=0 git_pinned -C "$1" status --porcelain)" ] ||
        tv_detail="${tv_detail:+$tv_detail, }uncommitted changes"
    if [ -n "$tv_detail" ]; then
        echo "ahead ($tv_detail)"
    else
        echo same
    fi
}

# profile_file NAME: the file of profile NAME in profiles/, or die; NAME
# must be a plain name without a dot (profiles are sourced as shell code,
# with $TOP set).
profile_file() {
    case $1 in
        ''|*.*|*/*) die "'$1' is not a profile name (have: $(echo $(profile_names)))" ;;
    esac
    [ -f "$TOP/profiles/$1" ] ||
        die "no profile '$1' (have: $(echo $(profile_names)))"
    echo "$TOP/profiles/$1"
}

sha256_of() {
    sha256sum "$1" | cut -d' ' -f1
}

# Print the first existing path of distfile $1 (DISTDIR, then the cache).
distfile_find() {
    for d in ${DISTDIR:+"$DISTDIR"} "$QP_CACHE/distfiles"; do
        if [ -f "$d/$1" ]; then
            printf '%s\n' "$d/$1"
            return 0
        fi
    done
    return 1
}

# Print the writable directory new distfiles are downloaded into.
distfile_download_dir() {
    mkdir -p "$QP_CACHE/distfiles" && printf '%s\n' "$QP_CACHE/distfiles"
}

# Fail unless file $1 has sha256 $2.
sha256_verify() {
    actual=$(sha256_of "$1")
    [ "$actual" = "$2" ] ||
        die "$1: sha256 mismatch: expected $2, got $actual (corrupt or wrong file; delete it to download again)"
}

# missing_packages PACKAGE...: print, one a line, the Debian packages
# among the arguments that dpkg does not have installed.  An
# architecture-qualified (gcc:i386) or versioned name is checked as given.
missing_packages() {
    for package in "$@"; do
        status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
        [ "$status" = "install ok installed" ] || printf '%s\n' "$package"
    done
}

# apt_install_safely ARGUMENT...: as root, `apt-get install
# --no-install-recommends ARGUMENT...` (packages, and options such as
# -t bookworm-backports), but only after a dry run shows that apt would
# remove nothing: a lagging foreign index can make apt propose removing a
# toolchain.  The one place that installs Debian packages.  Dies, the
# system unchanged, when the dry run fails or plans removals (it names
# them); apt's output goes to stderr.
apt_install_safely() {
    plan=$(apt-get install -s -y --no-install-recommends "$@") ||
        die "apt-get cannot install: $*"
    removals=$(printf '%s\n' "$plan" | sed -n 's/^Remv \([^ ]*\).*/\1/p' |
        tr '\n' ' ')
    [ -z "$removals" ] ||
        die "installing '$*' would REMOVE: ${removals% }; not doing that. Resolve it by hand."
    say "installing: $*"
    DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$@" >&2
}

# install_missing_packages PACKAGE...: install those of the Debian
# packages that are missing, with apt_install_safely.  Not root: dies
# with the command to run.
install_missing_packages() {
    to_install=$(missing_packages "$@" | tr '\n' ' ')
    [ -n "$to_install" ] || return 0
    [ "$(id -u)" -eq 0 ] ||
        die "build tools are missing; as root run: apt-get install -y --no-install-recommends ${to_install% }"
    # shellcheck disable=SC2086
    apt_install_safely $to_install
}
