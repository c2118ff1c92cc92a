#!/usr/bin/env python3
"""Before any catsdogs step on a GPU machine: opens the CUDA driver, cuDNN 9, cuBLAS, NVRTC and
NVML as catsdogs would (the folders of CATSDOGS_CUDA_LIBS first, then the loader's own search by
soname) and looks up every symbol catsdogs' [LibraryImport] bindings name, read from their C#
sources. A missing library or symbol is then one line of the table, not a stack trace mid-run.

usage: bench/cuda_preflight.py            check; exit 1 when anything is missing
       bench/cuda_preflight.py --list     print "library symbol" per binding, and nothing else
"""
import ctypes
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINDINGS = [
    "CudnnModel/Native/CudaNative.cs",
    "CudnnModel/Native/CudnnNative.cs",
    "CudnnModel/Native/CublasNative.cs",
    "CudnnModel/Native/NvrtcNative.cs",
    "Telemetry/Nvml/Native/NvmlNative.cs",
]
# Each logical name of the bindings, and the files it may be, in the order catsdogs tries them.
CANDIDATES = {
    "libcuda.so.1": ["libcuda.so.1"],
    "libcudnn.so.9": ["libcudnn.so.9"],
    "libcublas": ["libcublas.so.13", "libcublas.so.12"],
    "libnvrtc": ["libnvrtc.so.13", "libnvrtc.so.12"],
    "libnvidia-ml.so.1": ["libnvidia-ml.so.1"],
}
IMPORT = re.compile(
    r'\[LibraryImport\((?P<library>[^,)\]]+)(?P<options>[^\]]*)\)\]\s*(?:\[[^\]]*\]\s*)*'
    r'internal\s+static\s+(?:unsafe\s+)?partial\s+[\w.<>*?\[\]]+\s+(?P<method>\w+)\s*\(')


def bindings():
    """(logical library, symbol) for every [LibraryImport] of the binding files."""
    found = []
    for relative in BINDINGS:
        source = open(os.path.join(ROOT, relative), encoding="utf-8").read()
        constant = re.search(r'const\s+string\s+LibraryName\s*=\s*"([^"]+)"', source).group(1)
        for match in IMPORT.finditer(source):
            library = constant if match["library"].strip() == "LibraryName" else match["library"].strip().strip('"')
            entry = re.search(r'EntryPoint\s*=\s*"([^"]+)"', match["options"])
            found.append((library, entry.group(1) if entry else match["method"]))
    return found


def open_library(names):
    """The first of names that opens, from the override folders, then by soname: (path or name, handle) or (reasons, None)."""
    folders = [f for f in os.environ.get("CATSDOGS_CUDA_LIBS", "").split(":") if f.strip()]
    reasons = []
    for name in names:
        for target in [os.path.join(f, name) for f in folders if os.path.exists(os.path.join(f, name))] + [name]:
            try:
                return target, ctypes.CDLL(target, mode=ctypes.RTLD_GLOBAL)
            except OSError as error:
                reasons.append(str(error))
    return "; ".join(reasons), None


def main():
    symbols = bindings()
    if sys.argv[1:] == ["--list"]:
        for library, symbol in symbols:
            print(library, symbol)
        return 0

    failed = False
    for library, names in CANDIDATES.items():
        wanted = [symbol for owner, symbol in symbols if owner == library]
        where, handle = open_library(names)
        if handle is None:
            # NVML only feeds the telemetry: catsdogs trains without it.
            failed |= library != "libnvidia-ml.so.1"
            print(f"preflight {library}: NOT LOADED ({where})")
            continue
        missing = [symbol for symbol in wanted if not hasattr(handle, symbol)]
        failed |= bool(missing)
        verdict = f"MISSING {len(missing)} of {len(wanted)} symbols: {' '.join(missing)}" if missing else f"all {len(wanted)} symbols"
        print(f"preflight {library}: {where}: {verdict}")
    print("preflight: " + ("FAILED" if failed else "every library and symbol the bindings use is there"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
