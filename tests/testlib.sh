# The one test library of the sh test suites: source it once, first.
#
# A suite reports in TAP (Test Anything Protocol, version 13), one line per
# result on stdout, numbered in order:
#   ok 3 - NAME                      pass NAME
#   not ok 4 - NAME                  fail NAME REASON, then each line of
#   # REASON                         REASON as a "# " diagnostic line
#   ok 5 - NAME # SKIP REASON        skip NAME REASON
# and finish() closes with the plan "1..N" (N results) and the comment
# "# P passed, F failed[, S skipped]".  Anything else a suite prints is
# not TAP and TAP parsers (prove, tests/run.sh) ignore it.  A "#" in a
# NAME is written "\#", a newline in a NAME or skip REASON as a space.
# The counters passed, failed and skipped are readable by the suite.

printf 'TAP version 13\n'
passed=0 failed=0 skipped=0 tap_number=0

# tap_name NAME: NAME as a TAP description (one line, "#" escaped).
tap_name() {
    printf '%s' "$1" | tr '\n' ' ' | sed 's/#/\\#/g'
}

# pass NAME: one passed result.
pass() {
    passed=$((passed + 1)) tap_number=$((tap_number + 1))
    printf 'ok %s - %s\n' "$tap_number" "$(tap_name "$1")"
}

# fail NAME [REASON]: one failed result; REASON (any number of lines, e.g.
# the output that shows the failure) follows as diagnostic lines.
fail() {
    failed=$((failed + 1)) tap_number=$((tap_number + 1))
    printf 'not ok %s - %s\n' "$tap_number" "$(tap_name "$1")"
    [ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/# /'
}

# skip NAME REASON: one result not checked here, and why.
skip() {
    skipped=$((skipped + 1)) tap_number=$((tap_number + 1))
    printf 'ok %s - %s # SKIP%s\n' "$tap_number" "$(tap_name "$1")" \
        "$(printf '%s' "${2:+ $2}" | tr '\n' ' ')"
}

# expect NAME WANT_STATUS(0|nonzero) OUTPUT_PATTERN CMD...: run CMD, check
# its exit status and that its output (stdout+stderr) matches the grep -E
# pattern; the output is shown on failure.
expect() {
    t_name=$1 t_want=$2 t_pattern=$3
    shift 3
    t_out=$("$@" 2>&1 </dev/null) && t_status=0 || t_status=$?
    if [ "$t_want" = 0 ] && [ "$t_status" != 0 ]; then
        fail "$t_name" "exit status $t_status, expected success; output:
$t_out"
    elif [ "$t_want" != 0 ] && [ "$t_status" = 0 ]; then
        fail "$t_name" "succeeded, expected failure; output:
$t_out"
    elif [ -n "$t_pattern" ] &&
         ! printf '%s\n' "$t_out" | grep -Eq -- "$t_pattern"; then
        fail "$t_name" "output does not match /$t_pattern/; output:
$t_out"
    else
        pass "$t_name"
    fi
}

# host_runs_i386: succeed when this kernel runs i386 programs itself, as
# an x86_64 kernel with ia32 emulation does.  Linux 6.7 and later can
# boot with it off (ia32_emulation=off, IA32_EMULATION_DEFAULT_DISABLED)
# and some VM kernels lack it; then every i386 program fails to exec.
# Sets host_i386_reason for SKIP lines.  Probes once, by running a static
# program built with i686-linux-gnu-gcc.
host_runs_i386() {
    if [ -z "${host_i386:-}" ]; then
        h_dir=$(mktemp -d "${TMPDIR:-/tmp}/qemu-ports-i386-probe.XXXXXX")
        printf 'int main(void) { return 42; }\n' > "$h_dir/probe.c"
        host_i386=no
        if ! i686-linux-gnu-gcc -static -o "$h_dir/probe" "$h_dir/probe.c" \
                2>/dev/null; then
            host_i386_reason='i686-linux-gnu-gcc cannot build i386 programs'
        elif "$h_dir/probe" </dev/null >/dev/null 2>&1; [ $? = 42 ]; then
            host_i386=yes
        else
            host_i386_reason="this kernel runs no i386 programs ($(uname -r): ia32 emulation off or absent)"
        fi
        rm -rf "$h_dir"
    fi
    [ "$host_i386" = yes ]
}

# relay_tap PREFIX LOG: repeat the results of another suite's TAP output,
# the file LOG, as results of this suite, PREFIX before each name; the
# diagnostic lines after a "not ok" become its reason and the lines
# indented by 4 spaces are printed as they are.  A LOG without a plan
# (that suite did not finish) is one more failure.
relay_tap() {
    r_prefix=$1 r_log=$2 r_plan=no r_failing=no r_name='' r_reason=''
    while IFS= read -r r_line || [ -n "$r_line" ]; do
        case $r_line in
        '#'*)
            r_diag=${r_line#\#}
            [ $r_failing = no ] || r_reason="$r_reason${r_reason:+
}${r_diag# }"
            continue ;;
        esac
        if [ $r_failing = yes ]; then
            fail "$r_prefix$r_name" "$r_reason"
            r_failing=no r_reason=
        fi
        case $r_line in
        'not ok '*)
            r_failing=yes
            r_name=$(printf '%s\n' "${r_line#not ok }" |
                sed 's/^[0-9]* //; s/^- //; s/\\#/#/g') ;;
        'ok '*' # SKIP'*)
            r_name=$(printf '%s\n' "${r_line%% # SKIP*}" |
                sed 's/^ok [0-9]* //; s/^- //; s/\\#/#/g')
            r_reason=${r_line#* # SKIP}
            skip "$r_prefix$r_name" "${r_reason# }"
            r_reason= ;;
        'ok '*)
            pass "$r_prefix$(printf '%s\n' "$r_line" |
                sed 's/^ok [0-9]* //; s/^- //; s/\\#/#/g')" ;;
        1..*) r_plan=yes ;;
        '    '*) printf '%s\n' "$r_line" ;;
        esac
    done < "$r_log"
    [ $r_failing = no ] || fail "$r_prefix$r_name" "$r_reason"
    [ $r_plan = yes ] ||
        fail "${r_prefix}results" "no TAP plan in $r_log: the suite did not finish"
}

# cygwin_toolchain SUITE: set toolchain_bin to the bin directory of the
# cached Cygwin cross toolchain (scripts/cygwin-toolchain.sh --check; $top
# is the checkout).  Returns 1 after a SKIP line for SUITE when none is
# cached, or after a FAIL line with the script's message when the check
# itself fails (a missing pin file, ...): never a silent skip on an error.
cygwin_toolchain() {
    c_err=$(mktemp "${TMPDIR:-/tmp}/qemu-ports-toolchain-check.XXXXXX")
    toolchain_bin=$("$top/scripts/cygwin-toolchain.sh" --check 2>"$c_err") &&
        c_status=0 || c_status=$?
    c_message=$(tail -n 3 "$c_err")
    rm -f "$c_err"
    case $c_status in
    0) return 0 ;;
    2) skip "$1" "no Cygwin cross toolchain in the cache; build it with 'make cygwin-toolchain' (about 27 min on 2 cores, once)" ;;
    *) fail "$1" "scripts/cygwin-toolchain.sh --check failed (status $c_status): $c_message" ;;
    esac
    return 1
}

# finish: print the plan and the closing comment; return 1 if any result
# failed, else 0.  Call it once, last.
finish() {
    printf '1..%s\n' "$tap_number"
    if [ "$skipped" -gt 0 ]; then
        printf '# %s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped"
    else
        printf '# %s passed, %s failed\n' "$passed" "$failed"
    fi
    [ "$failed" = 0 ]
}
