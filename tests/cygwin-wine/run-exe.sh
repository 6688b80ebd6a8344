#!/bin/sh
# Run a program of the Cygwin build under Wine, as a Cygwin user would run
# it, and return its exit status (125 when it cannot be started).
#
# usage: tests/cygwin-wine/run-exe.sh EXE [ARGS...]
#   EXE  build/cygwin-root/bin/NAME.exe, NAME.exe, or a program under
#        build/cygwin (build/cygwin/tests/unit/test-aio.exe)
#
# The program that runs is its test copy in build/cygwin-wine/root/bin
# (tests/cygwin-wine/test-root.sh: the same link plus wine8-workaround.c,
# which Debian 12's Wine 8 needs; the user's build/cygwin-root is never
# changed).  Standard input and output are the caller's, through
# stdio-relay.exe (below; a terminal is set as QEMU sets it for -serial
# mon:stdio while the program runs).  On standard error, the warning
# every Cygwin program prints at start under Wine ("Couldn't compute
# FAST_CWD pointer", harmless: Wine's ntdll differs from Windows' where
# Cygwin looks for the current directory) is removed.
# A Cygwin program under Wine sees the directory above bin/ as /, so
# build/cygwin-wine/root/tmp is its /tmp; the Linux working directory
# stays the working directory (as /cygdrive/z/... when outside the root).
#
# Environment:
#   QP_WINEPREFIX  the Wine prefix (default ~/.cache/qemu-ports/wine-prefix;
#                  created on first use, about a minute)
#   WINE           the Wine loader (default: wine64 in PATH, else
#                  /usr/lib/wine/wine64, Debian's wine64 package)
#   WINEDEBUG      passed on (default -all)
set -u
here=$(cd "$(dirname "$0")" && pwd)
qp_cache=${QP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qemu-ports}

die() { echo "run-exe.sh: error: $*" >&2; exit 125; }

[ $# -ge 1 ] || die "usage: $0 EXE [ARGS...]"
exe=$1
shift

wine=${WINE:-}
if [ -z "$wine" ]; then
    if command -v wine64 >/dev/null 2>&1; then
        wine=wine64
    elif [ -x /usr/lib/wine/wine64 ]; then
        wine=/usr/lib/wine/wine64
    else
        die "no Wine: install Debian's wine64 (apt-get install --no-install-recommends wine64)"
    fi
fi

# test-root.sh prints the test root's path and nothing else.
test_root=$("$here/test-root.sh" "$exe") && [ -d "$test_root" ] ||
    die "cannot make the test copy of $exe"
program=$test_root/bin/${exe##*/}

export WINEPREFIX="${QP_WINEPREFIX:-$qp_cache/wine-prefix}"
export WINEDEBUG="${WINEDEBUG:--all}"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    mkdir -p "$(dirname "$WINEPREFIX")"
    echo "run-exe.sh: creating the Wine prefix $WINEPREFIX (once)" >&2
    "$wine" wineboot --init > "$WINEPREFIX.log" 2>&1 ||
        die "wineboot --init failed; see $WINEPREFIX.log"
    wineserver=$(dirname "$(command -v "$wine")")/wineserver
    [ -x "$wineserver" ] || wineserver=wineserver
    "$wineserver" -w 2>/dev/null || true
fi

# Drop exactly the FAST_CWD warning block (6 lines, the last one empty);
# everything else on standard error passes, line by line.
filter_startup_noise() {
    awk '
        held != "" {
            if ($0 ~ /Couldn.t compute FAST_CWD pointer/) { skip = 1; held = ""; next }
            print held; held = ""
        }
        skip { if ($0 == "") skip = 0; next }
        $0 == "Cygwin WARNING:" { held = $0; next }
        { print; fflush() }
        END { if (held != "") print held }
    ' >&2
}

# The program runs under stdio-relay.exe, which gives it Cygwin pipes as
# standard input and output: Cygwin's non-blocking I/O fails with EIO on
# the Linux pipes Wine hands over (stdio-relay.c), and QEMU's stdio
# chardev is non-blocking.
set -- "$test_root/bin/stdio-relay.exe" "/usr/bin/${program##*/}" "$@"
tmp=$(mktemp -d)
feeder=''
cleanup() {
    [ -z "$feeder" ] || kill "$feeder" 2>/dev/null
    [ -z "${saved_tty:-}" ] || stty "$saved_tty" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
# A signal ends Wine's process of the relay; the relay holds the program
# in a Windows job that is killed when the relay's handle to it closes
# (stdio-relay.c), so nothing is left running.
on_signal() {
    [ ! -s "$tmp/wine.pid" ] || kill -KILL "$(cat "$tmp/wine.pid")" 2>/dev/null
    exit $((128 + $1))
}
trap 'on_signal 1' HUP
trap 'on_signal 2' INT
trap 'on_signal 15' TERM

# At a terminal, Wine would give the program its console, and Wine 8's
# console garbles what it draws on a terminal: it writes some blanks as
# cursor moves and sends stray backspaces, so the firmware's "Shell>"
# shows as "Shll>" (the bytes of tests/acceptance/driver.py --pty, played
# on a screen model).  So a terminal reaches the relay through pipes too:
# a terminal as standard input through a FIFO fed by cat, put in the mode
# QEMU's stdio chardev sets for -serial mon:stdio on Linux and on
# Cygwin's ptys (keys go through at once, without echo; Ctrl-C is a byte
# for the program), restored at exit; a terminal as standard output
# through cat.
if [ -t 0 ]; then
    saved_tty=$(stty -g)
    stty -ignbrk -brkint -parmrk -istrip -inlcr -igncr -icrnl -ixon opost \
        -echonl -icanon -iexten -echo -isig cs8 -parenb min 1 time 0
    mkfifo "$tmp/input"
    # fd 4: an asynchronous command's standard input is /dev/null.
    exec 4<&0
    cat <&4 > "$tmp/input" &
    feeder=$!
    exec 4<&-
    exec 6< "$tmp/input"
else
    exec 6<&0
fi

# run: Wine running the relay, its input from fd 6, its output to fd 3
# (run's standard output); only standard error goes through the filter.
run() {
    { { "$wine" "$@" <&6 6<&- &
        echo $! > "$tmp/wine.pid"
        wait $!
        { echo $? > "$tmp/status"; } 2>/dev/null; } 2>&1 1>&3 3>&- |
        filter_startup_noise; } 3>&1
}
# In the background, so that a signal's trap runs at once (the shell runs
# traps only between commands, and wait is interrupted by them).
if [ -t 1 ]; then
    run "$@" | cat &
else
    run "$@" &
fi
wait $!
status=$(cat "$tmp/status" 2>/dev/null)
exit "${status:-125}"
