"""CPython's own reading of every .py file of this Python's library: the oracle of the conformance test.

Finds the standard library and the site packages through sysconfig/site (never hard-coded paths), parses each file
with ast.parse and writes one JSON line per file to stdout:
  {"path": ..., "ok": true|false, "imports": [[module, names|null, level, line], ...]}
An `import a, b` statement gives one entry per name; `from m import x as y` gives ["m", ["x"], 0, line].
Runs in one process so the test spawns Python once for thousands of files.
"""
import ast
import json
import os
import site
import sys
import sysconfig
import warnings


def library_roots():
    paths = sysconfig.get_paths()
    candidates = [paths.get("stdlib"), paths.get("purelib"), paths.get("platlib")] + list(site.getsitepackages())
    roots = []
    for root in candidates:
        if root and os.path.isdir(root):
            real = os.path.realpath(root)
            if real not in roots:
                roots.append(real)
    return roots


def python_files(roots):
    seen = set()
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                if not name.endswith(".py"):
                    continue
                path = os.path.join(folder, name)
                real = os.path.realpath(path)
                if real in seen or not os.path.isfile(real):
                    continue
                seen.add(real)
                yield real


def imports_of(tree):
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append([alias.name, None, 0, node.lineno])
        elif isinstance(node, ast.ImportFrom):
            found.append([node.module or "", [alias.name for alias in node.names], node.level, node.lineno])
    found.sort(key=lambda item: (item[3], item[0]))
    return found


def main():
    warnings.simplefilter("ignore")
    sys.setrecursionlimit(10000)
    roots = library_roots()
    out = sys.stdout
    out.write(json.dumps({"roots": roots, "version": list(sys.version_info[:3])}) + "\n")
    for path in python_files(roots):
        try:
            with open(path, "rb") as handle:
                source = handle.read()
        except OSError:
            continue
        try:
            tree = ast.parse(source, filename=path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            out.write(json.dumps({"path": path, "ok": False, "imports": []}) + "\n")
            continue
        out.write(json.dumps({"path": path, "ok": True, "imports": imports_of(tree)}) + "\n")


if __name__ == "__main__":
    main()
