#!/usr/bin/env python3
"""Lets TorchSharp-cpu's libLibTorchSharp.so load on Debian 12 (libstdc++ 12, GLIBCXX up to 3.4.30).

The library is built with GCC 13 and so asks for GLIBCXX_3.4.32, for one symbol only: the
<iostream> link anchor std::ios_base_library_init(), which no relocation uses. Marking that
version requirement weak (VER_FLG_WEAK in its Vernaux entry of .gnu.version_r) makes the dynamic
loader accept a libstdc++ without it; nothing else in the file changes.

usage: weaken_glibcxx.py IN.so OUT.so     (IN may equal OUT's source; OUT is written whole)
"""
import struct
import sys

WEAK = 0x2
TOO_NEW = {"GLIBCXX_3.4.31", "GLIBCXX_3.4.32", "GLIBCXX_3.4.33"}


def sections(elf):
    """(name offset, type, file offset, size, link) of each section of a little-endian ELF64 file."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        sys.exit("not a little-endian 64-bit ELF file")
    table, = struct.unpack_from("<Q", elf, 0x28)
    entry_size, count, names_index = struct.unpack_from("<HHH", elf, 0x3A)
    found = []
    for i in range(count):
        name, kind, _, _, offset, size, link, _, _, _ = struct.unpack_from("<IIQQQQIIQQ", elf, table + i * entry_size)
        found.append((name, kind, offset, size, link))
    return found, found[names_index][2]


def text(elf, at):
    return elf[at:elf.index(0, at)].decode()


def weaken(elf):
    """Sets the weak flag on every too-new GLIBCXX requirement; returns the (library, version) pairs changed."""
    all_sections, names = sections(elf)
    needs = [s for s in all_sections if text(elf, names + s[0]) == ".gnu.version_r"]
    if not needs:
        return []
    _, _, at, _, link = needs[0]
    strings = all_sections[link][2]
    changed = []
    while True:
        _, aux_count, library, first_aux, next_need = struct.unpack_from("<HHIII", elf, at)
        aux = at + first_aux
        for _ in range(aux_count):
            _, flags, _, version, next_aux = struct.unpack_from("<IHHII", elf, aux)
            if text(elf, strings + version) in TOO_NEW:
                struct.pack_into("<H", elf, aux + 4, flags | WEAK)
                changed.append((text(elf, strings + library), text(elf, strings + version)))
            aux += next_aux
        if next_need == 0:
            return changed
        at += next_need


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    elf = bytearray(open(sys.argv[1], "rb").read())
    for library, version in weaken(elf):
        print(f"weak: {library} {version}")
    open(sys.argv[2], "wb").write(elf)


if __name__ == "__main__":
    main()
