# Minimal test reporting for the sh test scripts.  Source it.
# Each result prints one line; finish() prints "N passed, M failed" and
# sets the exit status.

passed=0 failed=0 skipped=0

pass() {
    passed=$((passed + 1))
    printf 'PASS %s\n' "$1"
}

fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
}

skip() {
    skipped=$((skipped + 1))
    printf 'SKIP %s: %s\n' "$1" "$2"
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

finish() {
    if [ "$skipped" -gt 0 ]; then
        printf '%s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped"
    else
        printf '%s passed, %s failed\n' "$passed" "$failed"
    fi
    [ "$failed" = 0 ]
}
