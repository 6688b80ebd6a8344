#!/usr/bin/python3
"""Python side of the acceptance suite (tests/acceptance/run.sh), also run
by the usbredir and cygwin-wine suites: the command line of the shared
modules in scripts/qemu_ports/ (console.py, initramfs.py).

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
import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, 'scripts'))  # see scripts/qemu_ports/
from qemu_ports import console, initramfs  # noqa: E402


def console_command(args):
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
        con = console.Console(cmd, log, pty)
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
                    raise console.Failure('unknown step %r' % step)
        except console.Failure as failure:
            con.note('FAILED: %s' % failure)
            con.stop()
            sys.exit('driver.py: %s' % failure)
        con.stop()


def initramfs_command(args):
    if len(args) < 3:
        sys.exit('usage: driver.py initramfs OUT BUSYBOX INIT [MODDIR MODULE...]')
    out, busybox, init = args[:3]
    moddir = args[3] if len(args) > 3 else None
    try:
        initramfs.write(out, busybox, init, moddir, args[4:])
    except initramfs.Error as error:
        sys.exit('driver.py: %s' % error)


if __name__ == '__main__':
    commands = {'console': console_command, 'initramfs': initramfs_command}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit('usage: driver.py console|initramfs ... (see the top of driver.py)')
    commands[sys.argv[1]](sys.argv[2:])
