#!/bin/sh
# usbredir: QEMU's -device usb-redir against a USB device of our own.
#
#   tests/usbredir/run.sh BUILD_DIR_OR_QEMU
#
# BUILD_DIR_OR_QEMU: a build directory holding qemu-system-aarch64 (or
# qemu-system-aarch64.exe), or the path of the binary itself.
#
# usbredir-peer.c (built here with gcc against Debian's libusbredirparser)
# is the usb-host end of the usbredir protocol: it listens on 127.0.0.1,
# QEMU connects to it with -chardev socket + -device usb-redir, and it
# emulates a full-speed CDC-ACM serial device 1209:0001 (pid.codes test
# id) that answers "PING <text>" with "PONG <TEXT reversed>".
#
# Rows:
#  - peer: built (SKIP, naming the package, without gcc or
#    libusbredirparser-dev);
#  - peer: a session played by peer-check.py (no QEMU), and bad input (random
#    bytes, short or oversized packets, data in the wrong direction, no
#    hello, a flood of requests): the peer must end with exit status 1 and
#    an error line, never a crash;
#  - guest: the acceptance suite's Debian arm64 kernel and busybox, with the
#    kernel's xhci-pci and cdc-acm modules, boots under
#        qemu-system-aarch64 -M virt -cpu cortex-a57 -m 256 -nographic
#          -device qemu-xhci -chardev socket,host=127.0.0.1,port=PORT
#          -device usb-redir,chardev=...,bus=xhci.0
#    and its /init (./init) prints one ACCEPT-RESULT line: the ids in
#    /sys/bus/usb/devices/*/idVendor and idProduct, the string descriptors,
#    the driver bound (cdc_acm), the tty (ttyACM0), and the answer read from
#    the tty after writing "PING <token>" (a random token from the host, on
#    the kernel command line).  The host checks each against what the peer
#    must produce, and the peer's own log (configuration set, line coding
#    and DTR from cdc_acm, the PING seen on bulk OUT, exit status 0).
#
# Inputs: the Debian packages pinned in pins/acceptance-inputs, fetched by
# tests/acceptance/fetch.sh and unpacked (shared with the acceptance suite)
# in ${QP_CACHE:-$HOME/.cache/qemu-ports}/acceptance; the peer, initramfs,
# console.log and peer.log go to ${QP_CACHE:-$HOME/.cache/qemu-ports}/usbredir/work,
# replaced on each run.
# Environment:
#   USBREDIR_TIMEOUT      seconds for the guest to print its result (default 240)
#   USBREDIR_BREAK=echo|mute|nodevice
#                         break the setup on purpose, to see the test fail:
#                         the peer echoes the line unchanged / never answers /
#                         QEMU runs without the usb-redir device
#   USBREDIR_QEMU_PREFIX  words put before QEMU's path (e.g. "wine" for the
#                         Cygwin build); USBREDIR_PATH_PREFIX is prepended to
#                         the kernel and initrd paths QEMU is given (e.g.
#                         "Z:" for a Windows program under Wine)
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/testlib.sh"

[ $# = 1 ] || { echo "usage: $0 BUILD_DIR_OR_QEMU" >&2; exit 2; }
if [ -d "$1" ]; then
    qemu=$1/qemu-system-aarch64
    [ -f "$qemu" ] || [ ! -f "$qemu.exe" ] || qemu=$qemu.exe
else
    qemu=$1
fi
python=${PYTHON:-/usr/bin/python3}
pins=${ACCEPTANCE_INPUTS:-$top/pins/acceptance-inputs}
cache=${QP_CACHE:-$HOME/.cache/qemu-ports}
acc=$cache/acceptance
work=$cache/usbredir/work
limit=${USBREDIR_TIMEOUT:-240}
break_mode=${USBREDIR_BREAK:-}
case $break_mode in
'' | echo | mute | nodevice) ;;
*) echo "run.sh: USBREDIR_BREAK must be echo, mute or nodevice" >&2; exit 2 ;;
esac
if [ -n "$break_mode" ]; then
    echo "NOTE USBREDIR_BREAK=$break_mode: this run is broken on purpose and must FAIL"
fi

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
t_start=$(now)

# --- host prerequisites: SKIP (not FAIL) when the peer cannot be built ------
cflags='' libs='' missing=''
command -v gcc >/dev/null 2>&1 || missing="$missing gcc"
if command -v pkg-config >/dev/null 2>&1 &&
    pkg-config --exists libusbredirparser-0.5 2>/dev/null; then
    cflags=$(pkg-config --cflags libusbredirparser-0.5)
    libs=$(pkg-config --libs libusbredirparser-0.5)
    libversion=$(pkg-config --modversion libusbredirparser-0.5)
elif [ -f /usr/include/usbredirparser.h ]; then
    libs=-lusbredirparser libversion='(version unknown: no pkg-config)'
else
    missing="$missing libusbredirparser-dev"
fi
if [ -n "$missing" ]; then
    skip usbredir "cannot build the usbredir peer: missing$missing; install with: apt-get install --no-install-recommends$missing pkg-config"
    finish
    exit
fi

rm -rf "$work"
mkdir -p "$work" || { fail usbredir "cannot create $work"; finish; exit; }

# --- the peer ----------------------------------------------------------------
peer=$work/usbredir-peer
# shellcheck disable=SC2086
if gcc -O2 -g -Wall -Wextra -Werror $cflags -o "$peer" "$here/usbredir-peer.c" $libs \
    >"$work/cc.log" 2>&1; then
    pass "peer: usbredir-peer built against libusbredirparser $libversion"
else
    fail "peer: build" "gcc failed:
$(tail -n 20 "$work/cc.log")"
    finish
    exit
fi

for c in session garbage bad-length wrong-dir huge-length no-hello flood; do
    if out=$("$python" "$here/peer-check.py" "$peer" "$c" 2>&1); then
        pass "peer: $c: $out"
    else
        fail "peer: $c" "$out"
    fi
done
t_peer=$(now)

# --- QEMU ----------------------------------------------------------------------
qemu_cmd() {
    # shellcheck disable=SC2086
    ${USBREDIR_QEMU_PREFIX:-} "$qemu" "$@"
}
if [ ! -f "$qemu" ]; then
    fail "qemu" "not found: $qemu"
    finish
    exit
fi
if qemu_cmd -machine none -device help 2>&1 | grep -q '"usb-redir"'; then
    pass "qemu: $qemu has the usb-redir device"
else
    fail "qemu: usb-redir" "$qemu has no usb-redir device (built without usbredir?)"
    finish
    exit
fi

# --- guest inputs: kernel, busybox, modules (the acceptance suite's pins) -------
if [ ! -f "$pins" ]; then
    fail "guest inputs" "pin file not found: $pins"
    finish
    exit
fi
pkg=$(awk '$1 ~ /^linux-image-/ && $3 == "arm64" { print $1; exit }' "$pins")
kver=${pkg#linux-image-}
if [ -z "$pkg" ] ||
    ! "$top/tests/acceptance/fetch.sh" unpack "$acc/linux" "$pkg:arm64" 2>"$work/fetch.err" ||
    ! "$top/tests/acceptance/fetch.sh" unpack "$acc/busybox" busybox-static:arm64 2>>"$work/fetch.err"; then
    fail "guest inputs" "cannot fetch the pinned kernel/busybox: $(tail -n 1 "$work/fetch.err")"
    finish
    exit
fi
kernel=$acc/linux/boot/vmlinuz-$kver
if ! "$python" "$top/tests/acceptance/driver.py" initramfs "$work/initrd" \
    "$acc/busybox/bin/busybox" "$here/init" "$acc/linux/lib/modules/$kver" \
    xhci_pci cdc_acm 2>"$work/initramfs.err"; then
    fail "guest inputs" "initramfs: $(tail -n 1 "$work/initramfs.err")"
    finish
    exit
fi
pass "guest inputs: $pkg, busybox-static, initramfs with xhci_pci, cdc_acm and their dependencies"

# --- the run -----------------------------------------------------------------------
token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
# the peer's answer: the token reversed and uppercased, spaces as _ (see ./init)
want_reply=PONG_$(printf '%s' "$token" | awk '{ for (i = length($0); i > 0; i--) printf "%s", toupper(substr($0, i, 1)) }')

peer_mode=reply
case $break_mode in echo | mute) peer_mode=$break_mode ;; esac
"$peer" -t $((limit + 60)) -m "$peer_mode" 0 >"$work/peer.out" 2>"$work/peer.log" &
peer_pid=$!
trap 'kill "$peer_pid" 2>/dev/null' EXIT
trap 'exit 1' INT TERM
port=
i=0
while [ $i -lt 100 ]; do
    port=$(sed -n 's/^LISTENING \([0-9][0-9]*\)$/\1/p' "$work/peer.out")
    [ -n "$port" ] && break
    kill -0 "$peer_pid" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
done
if [ -z "$port" ]; then
    fail "peer: listening" "no LISTENING line: $(tail -n 3 "$work/peer.log")"
    finish
    exit
fi

usb_args="-chardev socket,id=ur,host=127.0.0.1,port=$port
-device usb-redir,chardev=ur,id=redir0,bus=xhci.0"
[ "$break_mode" != nodevice ] || usb_args=
t_boot=$(now)
# shellcheck disable=SC2046,SC2086
if "$python" "$top/tests/acceptance/driver.py" console --log "$work/console.log" \
    timeout:"$limit" expect:'ACCEPT-RESULT [^\r\n]*\r?\n' timeout:30 exit:0 -- \
    ${USBREDIR_QEMU_PREFIX:-} "$qemu" -M virt -cpu cortex-a57 -m 256 -nographic \
    -no-reboot -nic none \
    -kernel "${USBREDIR_PATH_PREFIX:-}$kernel" -initrd "${USBREDIR_PATH_PREFIX:-}$work/initrd" \
    -append "console=ttyAMA0 panic=-1 quiet qp_usbredir_token=$token" \
    -device qemu-xhci,id=xhci $usb_args 2>"$work/driver.err"; then
    booted=yes
else
    booted=no
fi
t_booted=$(now)

# the peer ends when QEMU closes the connection
i=0
while kill -0 "$peer_pid" 2>/dev/null && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
if kill -0 "$peer_pid" 2>/dev/null; then
    { kill "$peer_pid" && wait "$peer_pid"; } 2>/dev/null
    peer_status="still running 10 s after QEMU (killed)"
else
    wait "$peer_pid"
    peer_status=$?
fi
trap - EXIT

result=$(tr -d '\r' <"$work/console.log" | grep -a '^ACCEPT-RESULT ' | tail -n 1)
if [ $booted = yes ] && [ -n "$result" ]; then
    pass "guest: booted in $(secs "$t_boot" "$t_booted")s and printed its result"
    echo "    $result"
else
    fail "guest: boot" "$(sed 's/^driver.py: //' "$work/driver.err" | tail -n 1)"
    esc=$(printf '\033')
    echo "    --- last lines of $work/console.log:"
    tr -d '\r' <"$work/console.log" | sed "s/$esc\[[0-9;?=>]*[A-Za-z]//g" |
        tail -n 15 | sed 's/^/    | /'
fi

# field NAME: the value of NAME= in the guest's result line ("" if absent)
field() {
    printf '%s\n' "$result" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}
check() {   # check ROW NAME WANT
    got=$(field "$2")
    if [ "$got" = "$3" ]; then
        pass "$1"
    else
        fail "$1" "guest saw $2='$got', expected '$3'"
    fi
}
check "guest: /sys/bus/usb/devices/*/idVendor:idProduct = 1209:0001" usb 1209:0001
check "guest: manufacturer string 'qemu-ports'" manufacturer qemu-ports
check "guest: product string 'qemu-ports usbredir test serial'" product \
    qemu-ports_usbredir_test_serial
check "guest: serial string 'QP-USBREDIR-0001'" serial QP-USBREDIR-0001
check "guest: interface 0 bound to cdc_acm" driver cdc_acm
check "guest: tty ttyACM0" tty ttyACM0
check "guest: token from the kernel command line" token "$token"
check "guest: PING $token -> PONG, token reversed and uppercased" reply "$want_reply"

# the peer's side of the same session
missing_lines=
for pattern in "connection from 127\.0\.0\.1:" "sent device_connect 1209:0001" \
    "GET_DESCRIPTOR .*device" "GET_DESCRIPTOR .*configuration" \
    "set_configuration 1 .*-> ok" "SET_LINE_CODING .*-> ok" \
    "SET_CONTROL_LINE_STATE .*DTR=1.*-> ok" \
    "bulk OUT ep 02 .*PING $token" "bulk IN  ep 81 .*PONG" \
    "summary: .*pings=1 replies=1"; do
    grep -q -- "$pattern" "$work/peer.log" || missing_lines="$missing_lines
    /$pattern/"
done
if [ "$peer_status" = 0 ] && [ -z "$missing_lines" ]; then
    pass "peer: session log (descriptors, configuration, line coding, DTR, PING, PONG) and exit status 0"
else
    fail "peer: session" "exit status $peer_status; not in $work/peer.log:$missing_lines
    --- last lines of the peer log:
$(tail -n 8 "$work/peer.log" | sed 's/^/    | /')"
fi

echo "time: peer build and checks $(secs "$t_start" "$t_peer")s, guest $(secs "$t_boot" "$t_booted")s, total $(secs "$t_start" "$(now)")s"
finish
