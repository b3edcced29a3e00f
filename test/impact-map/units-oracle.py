"""The impact map's units as CPython's `ast` sees them: the oracle of units-conformance.test.ts.

Prints one JSON line first ({"version": [...], "root": stdlib dir}), then one line per file:
{"path", "ok", "units": [[qualname, first line, body start, body end], ...], "classes": [qualname, ...]}.
A unit is every def / async def at any depth; its name is Python's __qualname__ (`f.<locals>.g`), with the
impact map's rule for a name defined again in the same scope: `name.setter` / `.getter` / `.deleter` for a property
accessor decorated `@name.setter` (the first time that role appears), else `name#N` for the N-th definition.
The first line is the first decorator's (else the def's); the body runs from the first line of its first statement
(a nested definition's first decorator: it runs with the enclosing body) to the end of its last. `classes` lists classes outside every function. Files are the modules named on the command line (dotted, from
the standard library), or with --all every .py file under the standard library.
"""
import ast
import json
import os
import sys
import sysconfig


def first_line(statement):
    """Where a statement starts: its first decorator for a decorated definition (ast's lineno is the def line)."""
    decorators = getattr(statement, "decorator_list", None)
    return decorators[0].lineno if decorators else statement.lineno


def shape(tree):
    units = []
    classes = []
    counts = {}

    def unique(scope, node):
        key = (scope, node.name)
        n = counts.get(key, 0) + 1
        counts[key] = n
        if n == 1:
            return node.name
        for decorator in node.decorator_list:
            text = ast.unparse(decorator).replace(" ", "")
            for role in ("setter", "deleter", "getter"):
                if text == f"{node.name}.{role}" and (key, role) not in counts:
                    counts[(key, role)] = 1
                    return f"{node.name}.{role}"
        return f"{node.name}#{n}"

    def visit(statements, prefix, in_function):
        scope = ".".join(prefix)
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = unique(scope, node)
                qualified = prefix + [name]
                first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                units.append([".".join(qualified), first, first_line(node.body[0]), node.body[-1].end_lineno])
                visit(node.body, qualified + ["<locals>"], True)
            elif isinstance(node, ast.ClassDef):
                name = unique(scope, node)
                qualified = prefix + [name]
                if not in_function:
                    classes.append(".".join(qualified))
                visit(node.body, qualified, in_function)
            else:
                # Compound statements: their blocks in source order (if/elif/else, try/except/else/finally, ...).
                for field in ("body", "handlers", "orelse", "finalbody", "cases"):
                    part = getattr(node, field, None)
                    if not isinstance(part, list):
                        continue
                    for item in part:
                        if isinstance(item, (ast.ExceptHandler, ast.match_case)):
                            visit(item.body, prefix, in_function)
                    visit([item for item in part if isinstance(item, ast.stmt)], prefix, in_function)

    visit(tree.body, [], False)
    return units, classes


def main():
    root = sysconfig.get_paths()["stdlib"]
    if sys.argv[1:] == ["--all"]:
        paths = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "dist-packages", "__pycache__"))
            paths.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(".py"))
    else:
        paths = []
        for module in sys.argv[1:]:
            base = os.path.join(root, *module.split("."))
            paths.append(os.path.join(base, "__init__.py") if os.path.isdir(base) else base + ".py")
    print(json.dumps({"version": list(sys.version_info[:3]), "root": root}), flush=True)
    for path in paths:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            data.decode("utf-8")
            tree = ast.parse(data, path)
        except (SyntaxError, ValueError, UnicodeDecodeError):
            print(json.dumps({"path": path, "ok": False, "units": [], "classes": []}), flush=True)
            continue
        units, classes = shape(tree)
        print(json.dumps({"path": path, "ok": True, "units": units, "classes": classes}), flush=True)


if __name__ == "__main__":
    main()
