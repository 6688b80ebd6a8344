"""Write a cpio (newc) initramfs for the guest kernels: busybox as
/bin/busybox and /bin/sh, an init script as /init, /dev/console, and
kernel modules with their dependencies in /modules, their load order in
/modules/load.
"""
import os
import re


class Error(Exception):
    """The initramfs cannot be made as asked (a module is missing)."""


def module_order(moddir, wanted):
    """Module files for WANTED and their dependencies, dependencies first:
    a list of (name, path of its .ko under MODDIR).  Error if one is
    missing."""
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
            raise Error('module %s.ko not found under %s' % (module, moddir))
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
    """One newc archive member (bytes): NAME (str) with MODE (file type
    and permissions), contents DATA, owned by 0/0, device numbers RDEV."""
    name = name.encode() + b'\0'
    fields = (ino, mode, 0, 0, 2 if mode & 0o40000 else 1, 0, len(data),
              0, 0, rdev[0], rdev[1], len(name), 0)
    head = b'070701' + b''.join(b'%08x' % field for field in fields) + name
    pad = lambda blob: blob + b'\0' * (-len(blob) % 4)
    return pad(head) + pad(data)


def _read(path):
    with open(path, 'rb') as f:
        return f.read()


def write(out, busybox, init, moddir=None, modules=()):
    """Write the initramfs to file OUT (created or replaced) from the paths
    BUSYBOX and INIT, with MODULES (names) found under MODDIR.  Error if a
    module is missing, OSError if a file cannot be read or written; OUT
    is not touched before the modules are found."""
    modules = module_order(moddir, modules) if moddir is not None else []
    entries = [('bin', 0o40755, b''), ('dev', 0o40755, b''),
               ('proc', 0o40755, b''), ('sys', 0o40755, b''),
               ('tmp', 0o41777, b''), ('modules', 0o40755, b''),
               ('bin/busybox', 0o100755, _read(busybox)),
               ('bin/sh', 0o120777, b'busybox'),
               ('init', 0o100755, _read(init)),
               ('modules/load', 0o100644,
                ''.join(m + '\n' for m, _ in modules).encode())]
    entries += [('modules/%s.ko' % m, 0o100644, _read(path)) for m, path in modules]
    with open(out, 'wb') as cpio:
        for ino, (name, mode, data) in enumerate(entries, 1):
            cpio.write(cpio_entry(ino, name, mode, data))
        cpio.write(cpio_entry(len(entries) + 1, 'dev/console', 0o20600, rdev=(5, 1)))
        cpio.write(cpio_entry(0, 'TRAILER!!!', 0))
