#!/usr/bin/python3
"""Check that every import of the PE files in a Cygwin bin/ is exported.

usage: pe-imports.py OBJDUMP W32API_LIBDIR BIN_DIR

For every .exe and .dll in BIN_DIR, `OBJDUMP -p` gives its import table
(DLL name, then the imported names) and, for DLLs, its export table.  An
import from a DLL in BIN_DIR must be among that DLL's exports; an import
from a Windows system DLL (KERNEL32.dll, ...) must have an __imp_ symbol in
the w32api import library of that DLL (W32API_LIBDIR/libNAME.a, the
import libraries the toolchain links against).  Windows resolves imports
by name at load time, so a missing one stops the program before main.

Prints one line per unresolved import, "IMPORTER: DLL!NAME (reason)", and
a last line "checked N imports of M files"; exit status 1 if any import is
unresolved, 2 on bad usage, a BIN_DIR that cannot be read or holds no PE
file, an objdump that cannot run or an unreadable file.
"""

import os
import re
import subprocess
import sys


def objdump_p(objdump, path):
    """Text of `objdump -p PATH`; raises CalledProcessError on failure."""
    return subprocess.run([objdump, "-p", path], check=True,
                          capture_output=True, text=True).stdout


def parse_imports(text):
    """{dll name: set of imported names} from objdump -p output.

    Imports by ordinal only (no name) are kept as '#ORDINAL'."""
    imports = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"\s*DLL Name: (\S+)", line)
        if m:
            current = imports.setdefault(m.group(1), set())
            continue
        if current is None:
            continue
        # "	00012345	  123  name" (hint, name) or "<none> 0012 name"
        m = re.match(r"\s+[0-9a-f]{8,16}\s+(<none>\s+)?([0-9a-f]+)\s+(\S+)\s*$",
                     line)
        if m:
            current.add(m.group(3))
        elif line.strip() == "" or line.startswith("The "):
            if line.startswith("The "):
                current = None
    return imports


def parse_exports(text):
    """Set of exported names from objdump -p output."""
    names = set()
    in_table = False
    for line in text.splitlines():
        if line.startswith("[Ordinal/Name Pointer] Table"):
            in_table = True
            continue
        if in_table:
            # "	[   0] +base[   1]  0000 name"
            m = re.match(r"\s+\[\s*\d+\].*\s(\S+)\s*$", line)
            if m:
                names.add(m.group(1))
            elif line.strip() and "Ordinal" not in line:
                in_table = False
    return names


def w32api_exports(nm, libdir, dll, cache):
    """Names with an __imp_ symbol in the w32api import library of DLL."""
    key = dll.lower()
    if key not in cache:
        base = key[:-4] if key.endswith(".dll") else key
        lib = os.path.join(libdir, "lib%s.a" % base)
        names = None
        if os.path.exists(lib):
            out = subprocess.run([nm, lib], capture_output=True,
                                 text=True).stdout
            names = set(m.group(1) for m in
                        re.finditer(r" I __imp_(\S+)", out))
        cache[key] = names
    return cache[key]


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    objdump, libdir, bindir = argv[1:]
    nm = objdump[:-len("objdump")] + "nm"
    try:
        files = sorted(f for f in os.listdir(bindir)
                       if f.lower().endswith((".exe", ".dll")))
    except OSError as e:
        print("cannot list %s: %s" % (bindir, e.strerror), file=sys.stderr)
        return 2
    if not files:
        print("no .exe or .dll in %s: nothing to check" % bindir,
              file=sys.stderr)
        return 2
    local = {f.lower(): f for f in files if f.lower().endswith(".dll")}
    dumps = {}
    try:
        for f in files:
            dumps[f] = objdump_p(objdump, os.path.join(bindir, f))
    except subprocess.CalledProcessError as e:
        print("cannot read %s: %s" % (e.cmd[-1], e.stderr.strip()),
              file=sys.stderr)
        return 2
    except OSError as e:
        print("cannot run %s: %s" % (objdump, e.strerror), file=sys.stderr)
        return 2
    exports = {f.lower(): parse_exports(dumps[f]) for f in local.values()}
    system_cache = {}
    bad = 0
    count = 0
    for f in files:
        for dll, names in sorted(parse_imports(dumps[f]).items()):
            for name in sorted(names):
                count += 1
                if dll.lower() in exports:
                    if name not in exports[dll.lower()]:
                        print("%s: %s!%s (not exported by %s in %s)"
                              % (f, dll, name, local[dll.lower()], bindir))
                        bad += 1
                    continue
                if dll.lower().startswith("cyg"):
                    print("%s: %s!%s (%s is not in %s)"
                          % (f, dll, name, dll, bindir))
                    bad += 1
                    continue
                system = w32api_exports(nm, libdir, dll, system_cache)
                if system is None:
                    print("%s: %s!%s (no DLL %s in %s and no w32api "
                          "import library for it)" % (f, dll, name, dll,
                                                      bindir))
                    bad += 1
                elif name not in system:
                    print("%s: %s!%s (not in w32api's import library)"
                          % (f, dll, name))
                    bad += 1
    print("checked %d imports of %d files" % (count, len(files)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
