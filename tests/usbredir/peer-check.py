#!/usr/bin/python3
"""Check usbredir-peer without QEMU: play the usb-guest side over TCP.

    peer-check.py PEER CASE

PEER is the built usbredir-peer; it is started on port 0 for each case.
Cases:
  session        a normal session: hello, ep_info/interface_info/
                 device_connect with the right ids, GET_DESCRIPTOR(device),
                 a PING on bulk OUT answered on a pending bulk IN request,
                 an unknown endpoint answered with STALL, a cancelled bulk
                 IN request answered "cancelled", then a clean close (exit 0)
  garbage        random bytes instead of a hello           -> exit status 1
  bad-length     a control packet shorter than its header  -> exit status 1
  wrong-dir      an IN control request carrying data       -> exit status 1
  huge-length    a bulk packet claiming 4 GiB of data      -> exit status 1
  no-hello       connect and close at once                 -> exit status 1
  flood          257 outstanding bulk IN requests          -> exit status 1
A bad-input case passes when the peer ends by itself, with exit status 1
(not a signal) and an "error:" line on stderr.  Prints one line saying what
happened; exit status 0 if the case passed, 1 if not.
"""
import os
import random
import select
import socket
import struct
import subprocess
import sys
import time

HELLO, DEVICE_CONNECT, INTERFACE_INFO, EP_INFO = 0, 1, 4, 5
CANCEL_DATA_PACKET = 21
CONTROL_PACKET, BULK_PACKET = 100, 101
# the guest's capabilities: connect_device_version, ep_info_max_packet_size,
# 64bits_ids, 32bits_bulk_length
CAPS = (1 << 1) | (1 << 4) | (1 << 5) | (1 << 6)
TYPE_HEADER = {DEVICE_CONNECT: 10, INTERFACE_INFO: 132, EP_INFO: 160,
               CONTROL_PACKET: 10, BULK_PACKET: 10}
VENDOR, PRODUCT = 0x1209, 0x0001


class Bad(Exception):
    pass


class Guest:
    """The usb-guest end of one connection (64-bit ids after the hellos)."""

    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.buf = b''

    def send(self, ptype, payload, pid=0, ids32=False):
        head = struct.pack('<III', ptype, len(payload), pid) if ids32 else \
            struct.pack('<IIQ', ptype, len(payload), pid)
        self.sock.sendall(head + payload)

    def hello(self):
        self.send(HELLO, b'peer-check'.ljust(64, b'\0') + struct.pack('<I', CAPS),
                  ids32=True)

    def recv_exact(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            if not data:
                raise Bad('connection closed by the peer')
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def packet(self, ids32=False):
        """Next packet: (type, id, type-specific header, data)."""
        if ids32:
            ptype, length, pid = struct.unpack('<III', self.recv_exact(12))
        else:
            ptype, length, pid = struct.unpack('<IIQ', self.recv_exact(16))
        body = self.recv_exact(length)
        th = TYPE_HEADER.get(ptype, 0 if ptype != HELLO else length)
        return ptype, pid, body[:th], body[th:]

    def expect(self, want_type):
        ptype, pid, th, data = self.packet()
        if ptype != want_type:
            raise Bad('expected packet type %d, got %d' % (want_type, ptype))
        return pid, th, data


def control(ep, req, rtype, value, index, length, status=0):
    return struct.pack('<BBBBHHH', ep, req, rtype, status, value, index, length)


def bulk(ep, length, status=0):
    return struct.pack('<BBHIH', ep, status, length & 0xffff, 0, length >> 16)


def start_peer(peer):
    proc = subprocess.Popen([peer, '-t', '30', '0'], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    line = proc.stdout.readline().decode()
    if not line.startswith('LISTENING '):
        proc.kill()
        raise Bad('peer did not print LISTENING: %r' % line)
    return proc, int(line.split()[1])


def finish(proc, timeout=10):
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise Bad('peer still running %ds after the input' % timeout)
    return proc.returncode, proc.stderr.read().decode(errors='replace')


def last_error(err):
    lines = [l for l in err.splitlines() if 'error' in l]
    line = (lines or err.splitlines() or [''])[-1]
    return line.split('error: ', 1)[-1] if 'error: ' in line else line


def case_session(peer):
    proc, port = start_peer(peer)
    g = Guest(port)
    g.hello()
    ptype, _, _, _ = g.packet(ids32=True)
    if ptype != HELLO:
        raise Bad('first packet is type %d, not hello' % ptype)
    _, ep_info, _ = g.expect(EP_INFO)
    types = ep_info[0:32]
    if types[0x13] != 3 or types[0x11] != 2 or types[0x02] != 2:
        raise Bad('ep_info types: IN3=%d IN1=%d OUT2=%d' % (types[0x13], types[0x11], types[0x02]))
    _, intf, _ = g.expect(INTERFACE_INFO)
    if struct.unpack('<I', intf[:4])[0] != 2 or intf[36:38] != b'\x02\x0a':
        raise Bad('interface_info: %s' % intf[:40].hex())
    _, dc, _ = g.expect(DEVICE_CONNECT)
    speed, cls, _, _, vid, pid_, bcd = struct.unpack('<BBBBHHH', dc)
    if (vid, pid_, speed) != (VENDOR, PRODUCT, 1):
        raise Bad('device_connect %04x:%04x speed %d' % (vid, pid_, speed))
    # GET_DESCRIPTOR(device), asking for 64 bytes
    g.send(CONTROL_PACKET, control(0x80, 6, 0x80, 0x0100, 0, 64), pid=1)
    pid, th, data = g.expect(CONTROL_PACKET)
    if pid != 1 or th[3] != 0 or len(data) != 18 or \
            struct.unpack('<HH', data[8:12]) != (VENDOR, PRODUCT):
        raise Bad('device descriptor answer: id %d status %d %s' % (pid, th[3], data.hex()))
    # an unsupported request STALLs
    g.send(CONTROL_PACKET, control(0x80, 6, 0x80, 0x0f00, 0, 5), pid=2)
    pid, th, data = g.expect(CONTROL_PACKET)
    if pid != 2 or th[3] != 4 or data:
        raise Bad('BOS request: id %d status %d, expected STALL (4)' % (pid, th[3]))
    # two bulk IN requests pending, a PING on bulk OUT
    g.send(BULK_PACKET, bulk(0x81, 64), pid=10)
    g.send(BULK_PACKET, bulk(0x81, 64), pid=11)
    g.send(BULK_PACKET, bulk(0x02, 13) + b'PING abc-123\n', pid=12)
    answers = {}
    for _ in range(2):
        pid, th, data = g.expect(BULK_PACKET)
        answers[pid] = (th, data)
    if 12 not in answers or answers[12][0][1] != 0:
        raise Bad('no successful answer to the bulk OUT packet: %r' % answers)
    if 10 not in answers or answers[10][1] != b'PONG 321-CBA\n':
        raise Bad('bulk IN answer %r, expected PONG 321-CBA' % (answers.get(10),))
    # bulk OUT to an endpoint the device does not have: STALL
    g.send(BULK_PACKET, bulk(0x05, 2) + b'xx', pid=13)
    pid, th, _ = g.expect(BULK_PACKET)
    if pid != 13 or th[1] != 4:
        raise Bad('bulk to ep 05: id %d status %d, expected STALL (4)' % (pid, th[1]))
    # cancel the still pending IN request 11: answered with status cancelled
    g.send(CANCEL_DATA_PACKET, b'', pid=11)
    pid, th, data = g.expect(BULK_PACKET)
    if pid != 11 or th[1] != 1 or data:
        raise Bad('cancel of id 11: id %d status %d, expected cancelled (1)' % (pid, th[1]))
    g.sock.close()
    status, err = finish(proc)
    if status != 0 or 'pings=1 replies=1' not in err:
        raise Bad('exit status %d after a clean close; %s' % (status, last_error(err)))
    return 'hello, descriptors, PING/PONG, STALL and cancel as expected; exit status 0'


def bad_input(peer, send):
    proc, port = start_peer(peer)
    g = Guest(port)
    try:
        send(g)
        # wait for the peer to give up (it closes the connection)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ready, _, _ = select.select([g.sock], [], [], 0.5)
            if ready:
                try:
                    if not g.sock.recv(65536):
                        break
                except OSError:
                    break
    except OSError:
        pass            # the peer may close while we are still sending
    status, err = finish(proc)
    g.sock.close()
    if status < 0:
        raise Bad('peer killed by signal %d; stderr: %s' % (-status, err[-300:]))
    if status != 1 or 'error:' not in err:
        raise Bad('exit status %d, expected 1 with an error line; %s' % (status, last_error(err)))
    return 'exit status 1: %s' % last_error(err)


def case_garbage(peer):
    rnd = random.Random(1)
    return bad_input(peer, lambda g: g.sock.sendall(
        b'\xff\xff\xff\x7f' + bytes(rnd.randrange(256) for _ in range(4096))))


def case_bad_length(peer):
    def send(g):
        g.hello()
        g.send(CONTROL_PACKET, b'\x80\x06\x80', pid=1)
    return bad_input(peer, send)


def case_wrong_dir(peer):
    def send(g):
        g.hello()
        g.send(CONTROL_PACKET, control(0x80, 6, 0x80, 0x0100, 0, 4) + b'evil', pid=1)
    return bad_input(peer, send)


def case_huge_length(peer):
    def send(g):
        g.hello()
        g.sock.sendall(struct.pack('<IIQ', BULK_PACKET, 0xfffffff0, 1) +
                       bulk(0x02, 0xffffffe6 & 0xffffffff) + b'x' * 1024)
    return bad_input(peer, send)


def case_no_hello(peer):
    return bad_input(peer, lambda g: g.sock.shutdown(socket.SHUT_WR))


def case_flood(peer):
    def send(g):
        g.hello()
        for i in range(257):
            g.send(BULK_PACKET, bulk(0x81, 64), pid=100 + i)
    return bad_input(peer, send)


CASES = {'session': case_session, 'garbage': case_garbage,
         'bad-length': case_bad_length, 'wrong-dir': case_wrong_dir,
         'huge-length': case_huge_length, 'no-hello': case_no_hello,
         'flood': case_flood}

if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        sys.exit('usage: peer-check.py PEER %s' % '|'.join(CASES))
    try:
        print(CASES[sys.argv[2]](sys.argv[1]))
    except (Bad, OSError) as why:
        print(why)
        sys.exit(1)
