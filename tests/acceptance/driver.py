#!/usr/bin/python3
"""Python side of the acceptance suite (tests/acceptance/run.sh).

driver.py console [--pty] --log FILE STEP... -- COMMAND...
    Run COMMAND (QEMU with its serial console and monitor on stdio) and talk
    to it, one step after the other; with --pty its standard input, output
    and error are a pseudo-terminal (80x24), as at a person's terminal,
    else pipes:
      expect:REGEX   wait until REGEX shows up in the output after the last
                     match (terminal escape sequences are ignored, but
                     cursor-forward moves count as blanks and cursor
                     positioning as a line break)
      check:REGEX    the text of the last match must contain REGEX
      send:TEXT      type TEXT slowly; Python escapes work (\\r, \\x1b = ESC,
                     \\x01 = Ctrl-A, the QEMU mux escape)
      timeout:SECS   time limit of the following expect and exit steps
      exit:STATUS    wait until COMMAND exits, with exit status STATUS
    Everything QEMU prints goes to FILE, with the steps as '### ' lines.
    On failure the last line on stderr says why and the exit status is 1.

driver.py initramfs OUT BUSYBOX INIT [MODDIR MODULE...]
    Write a cpio (newc) initramfs: busybox as /bin/busybox and /bin/sh,
    INIT as /init, /dev/console, and the kernel modules named (found under
    MODDIR, with their dependencies) in /modules, load order in /modules/load.
"""
import codecs
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

# A terminal may skip over blanks (CSI n C) and start lines by moving the
# cursor (CSI row;col H) instead of printing them; Wine's console does.
CURSOR_FORWARD = re.compile(r'\x1b\[([0-9]*)C')
CURSOR_POSITION = re.compile(r'\x1b\[[0-9]*(;[0-9]*)?[Hf]')
ESCAPES = re.compile(r'\x1b(\[[0-9;?=>]*[ -/]*[@-~]|[()][0-9A-Za-z]|[=>78DEHMc])')
TYPE_DELAY = 0.03    # seconds between typed characters


class Failure(Exception):
    pass


class Console:
    def __init__(self, cmd, log, pty=False):
        self.log = log
        self.note('command: ' + ' '.join(cmd))
        if pty:
            master, slave = os.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ,
                        struct.pack('HHHH', 24, 80, 0, 0))
            # A session of its own.  The terminal is not made its
            # controlling one: Wine, run from run-exe.sh, then printed
            # nothing (not yet understood).
            self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave,
                                         stderr=slave, start_new_session=True)
            os.close(slave)
            self.in_fd = self.out_fd = master
        else:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT,
                                         start_new_session=True)
            self.in_fd = self.proc.stdin.fileno()
            self.out_fd = self.proc.stdout.fileno()
        self.raw = b''
        self.eof = False
        self.pos = 0        # where the next expect starts, in text()
        self.last = ''      # text of the last match

    def signal_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def note(self, msg):
        self.log.write(('\n### %s\n' % msg).encode())
        self.log.flush()

    def text(self):
        text = self.raw.decode('latin-1')
        text = CURSOR_FORWARD.sub(lambda m: ' ' * int(m.group(1) or 1), text)
        text = CURSOR_POSITION.sub('\n', text)
        return ESCAPES.sub('', text)

    def tail(self):
        lines = self.text()[self.pos:].strip().splitlines()[-3:]
        return ' | '.join(line.strip() for line in lines)[-240:]

    def read(self, seconds):
        """Collect output for up to SECONDS (less if some arrives)."""
        if self.eof:
            time.sleep(min(seconds, 0.1))
            return
        ready, _, _ = select.select([self.out_fd], [], [], max(seconds, 0))
        if ready:
            try:
                data = os.read(self.out_fd, 65536)
            except OSError:
                # A pseudo-terminal whose other side is closed: EIO
                data = b''
            self.eof = not data
            self.raw += data
            self.log.write(data)
            self.log.flush()

    def expect(self, regex, timeout):
        self.note('expect /%s/ within %gs' % (regex, timeout))
        pattern = re.compile(regex)
        deadline = time.monotonic() + timeout
        while True:
            match = pattern.search(self.text(), self.pos)
            if match:
                self.pos, self.last = match.end(), match.group(0)
                return
            if self.eof:
                self.proc.wait()
                raise Failure('QEMU exited (status %s) while waiting for /%s/; '
                              'last output: %s'
                              % (self.proc.returncode, regex, self.tail()))
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure('timed out after %gs waiting for /%s/; last output: %s'
                              % (timeout, regex, self.tail() or '(none)'))
            self.read(min(left, 0.5))

    def check(self, regex):
        self.note('check /%s/ in %r' % (regex, self.last))
        if not re.search(regex, self.last):
            raise Failure('got %r, expected /%s/' % (self.last.strip(), regex))

    def send(self, text):
        self.note('send %r' % text)
        for char in text:
            try:
                os.write(self.in_fd, char.encode('latin-1'))
            except OSError:
                raise Failure('QEMU stopped reading input while sending %r' % text)
            self.read(TYPE_DELAY)

    def exit(self, status, timeout):
        self.note('exit status %d within %gs' % (status, timeout))
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure('QEMU did not exit within %gs; last output: %s'
                              % (timeout, self.tail()))
            self.read(min(left, 0.5))
        if self.proc.returncode != status:
            raise Failure('QEMU exited with status %d, expected %d; last output: %s'
                          % (self.proc.returncode, status, self.tail()))

    def stop(self):
        """Stop COMMAND and whatever it started (its process group)."""
        if self.proc.poll() is None:
            self.signal_group(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self.signal_group(signal.SIGKILL)
        self.proc.wait()
        if self.proc.stdout is None:
            os.close(self.out_fd)   # the pseudo-terminal's master side
        self.note('QEMU exit status %s' % self.proc.returncode)


def console(args):
    pty = args[:1] == ['--pty']
    if pty:
        args = args[1:]
    if len(args) < 2 or args[0] != '--log' or '--' not in args:
        sys.exit('usage: driver.py console [--pty] --log FILE STEP... -- COMMAND...')
    split = args.index('--')
    steps, cmd = args[2:split], args[split + 1:]
    if not steps or not cmd:
        sys.exit('driver.py: no steps or no command given')
    timeout = 60.0
    with open(args[1], 'wb') as log:
        con = Console(cmd, log, pty)
        try:
            for step in steps:
                kind, _, value = step.partition(':')
                if kind == 'expect':
                    con.expect(value, timeout)
                elif kind == 'check':
                    con.check(value)
                elif kind == 'send':
                    con.send(codecs.decode(value, 'unicode_escape'))
                elif kind == 'timeout':
                    timeout = float(value)
                elif kind == 'exit':
                    con.exit(int(value), timeout)
                else:
                    raise Failure('unknown step %r' % step)
        except Failure as failure:
            con.note('FAILED: %s' % failure)
            con.stop()
            sys.exit('driver.py: %s' % failure)
        con.stop()


def module_order(moddir, wanted):
    """Module files for WANTED and their dependencies, dependencies first."""
    files = {}
    for root, _, names in os.walk(moddir):
        for name in names:
            if name.endswith('.ko'):
                files[name[:-3].replace('-', '_')] = os.path.join(root, name)
    order = []

    def visit(module):
        module = module.replace('-', '_')
        if module in order:
            return
        if module not in files:
            sys.exit('driver.py: module %s.ko not found under %s' % (module, moddir))
        with open(files[module], 'rb') as ko:
            found = re.search(rb'\0depends=([^\0]*)', ko.read())
        for dep in (found.group(1).decode().split(',') if found else []):
            if dep:
                visit(dep)
        order.append(module)

    for module in wanted:
        visit(module)
    return [(module, files[module]) for module in order]


def cpio_entry(ino, name, mode, data=b'', rdev=(0, 0)):
    name = name.encode() + b'\0'
    fields = (ino, mode, 0, 0, 2 if mode & 0o40000 else 1, 0, len(data),
              0, 0, rdev[0], rdev[1], len(name), 0)
    head = b'070701' + b''.join(b'%08x' % field for field in fields) + name
    pad = lambda blob: blob + b'\0' * (-len(blob) % 4)
    return pad(head) + pad(data)


def initramfs(args):
    if len(args) < 3:
        sys.exit('usage: driver.py initramfs OUT BUSYBOX INIT [MODDIR MODULE...]')
    out, busybox, init = args[:3]
    modules = module_order(args[3], args[4:]) if len(args) > 3 else []
    read = lambda path: open(path, 'rb').read()
    entries = [('bin', 0o40755, b''), ('dev', 0o40755, b''),
               ('proc', 0o40755, b''), ('sys', 0o40755, b''),
               ('tmp', 0o41777, b''), ('modules', 0o40755, b''),
               ('bin/busybox', 0o100755, read(busybox)),
               ('bin/sh', 0o120777, b'busybox'),
               ('init', 0o100755, read(init)),
               ('modules/load', 0o100644,
                ''.join(m + '\n' for m, _ in modules).encode())]
    entries += [('modules/%s.ko' % m, 0o100644, read(path)) for m, path in modules]
    with open(out, 'wb') as cpio:
        for ino, (name, mode, data) in enumerate(entries, 1):
            cpio.write(cpio_entry(ino, name, mode, data))
        cpio.write(cpio_entry(len(entries) + 1, 'dev/console', 0o20600, rdev=(5, 1)))
        cpio.write(cpio_entry(0, 'TRAILER!!!', 0))


if __name__ == '__main__':
    commands = {'console': console, 'initramfs': initramfs}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit('usage: driver.py console|initramfs ... (see the top of driver.py)')
    commands[sys.argv[1]](sys.argv[2:])
