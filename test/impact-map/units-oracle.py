"""The impact map's units as CPython's `ast` sees them: the oracle of units-conformance.test.ts.

Prints one JSON line first ({"version": [...], "root": stdlib dir}), then one line per file:
{"path", "ok", "units": [[qualname, first line, body start, body end], ...], "classes": [qualname, ...],
"bodies": {body start line: [[kind, first, last min, last max], ...]}}.
A unit is every def / async def at any depth; its name is Python's __qualname__ (`f.<locals>.g`), with the
impact map's rule for a name defined again in the same scope: `name.setter` / `.getter` / `.deleter` for a property
accessor decorated `@name.setter` (the first time that role appears), else `name#N` for the N-th definition.
The first line is the first decorator's (else the def's); the body runs from the first line of its first statement
(a nested definition's first decorator: it runs with the enclosing body) to the end of its last. `classes` lists classes outside every function. Files are the modules named on the command line (dotted, from
the standard library), or with --all every .py file under the standard library.

`bodies`: each function's own statements in source order, as the impact map compares two versions of a changed
function (nested functions' and classes' bodies are theirs). kind: "simple" for a statement without a block;
"def" / "class" for a nested definition (first: its first decorator); compound statements and clauses by the
grammar's names (if_statement, elif_clause, for_statement, while_statement, with_statement, try_statement,
except_clause, match_statement, case_clause); `else:` and `finally:` hold nothing that can change and are not listed.
The last line is exact for simple statements and classes (end_lineno); for a header (keyword to colon) ast only
bounds it: from the end of what the header holds to the line its block starts on.
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


COMPOUND = {
    ast.For: "for_statement",
    ast.AsyncFor: "for_statement",
    ast.While: "while_statement",
    ast.With: "with_statement",
    ast.AsyncWith: "with_statement",
    ast.Try: "try_statement",
    ast.Match: "match_statement",
}
if hasattr(ast, "TryStar"):
    COMPOUND[ast.TryStar] = "try_statement"


def header_end(node):
    """The end of what a compound statement's header holds (its test, iterable, items, subject)."""
    if isinstance(node, (ast.If, ast.While)):
        return node.test.end_lineno
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return node.iter.end_lineno
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return max((item.optional_vars or item.context_expr).end_lineno for item in node.items)
    if isinstance(node, ast.Match):
        return node.subject.end_lineno
    return node.lineno


def statements(body, lines, out):
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            out.append(["def", first, node.lineno, node.body[0].lineno])
        elif isinstance(node, ast.ClassDef):
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            out.append(["class", first, node.end_lineno, node.end_lineno])
        elif isinstance(node, ast.If):
            if_chain(node, lines, out, "if_statement")
        elif type(node) in COMPOUND:
            kind = COMPOUND[type(node)]
            if isinstance(node, ast.Match):
                out.append([kind, node.lineno, header_end(node), node.cases[0].pattern.lineno])
                for case in node.cases:
                    end = (case.guard or case.pattern).end_lineno
                    out.append(["case_clause", case.pattern.lineno, end, case.body[0].lineno])
                    statements(case.body, lines, out)
                continue
            out.append([kind, node.lineno, header_end(node), node.body[0].lineno])
            statements(node.body, lines, out)
            for handler in getattr(node, "handlers", []):
                end = handler.type.end_lineno if handler.type else handler.lineno
                out.append(["except_clause", handler.lineno, end, handler.body[0].lineno])
                statements(handler.body, lines, out)
            statements(getattr(node, "orelse", []), lines, out)
            statements(getattr(node, "finalbody", []), lines, out)
        else:
            out.append(["simple", node.lineno, node.end_lineno, node.end_lineno])


def if_chain(node, lines, out, kind):
    out.append([kind, node.lineno, header_end(node), node.body[0].lineno])
    statements(node.body, lines, out)
    orelse = node.orelse
    if len(orelse) == 1 and isinstance(orelse[0], ast.If):
        inner = orelse[0]
        if lines[inner.lineno - 1][inner.col_offset:].startswith(b"elif"):
            if_chain(inner, lines, out, "elif_clause")
            return
    statements(orelse, lines, out)


def bodies(tree, lines):
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out = []
            statements(node.body, lines, out)
            first = node.body[0]
            start = first.decorator_list[0].lineno if getattr(first, "decorator_list", None) else first.lineno
            found[start] = out
    return found


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
            print(json.dumps({"path": path, "ok": False, "units": [], "classes": [], "bodies": {}}), flush=True)
            continue
        units, classes = shape(tree)
        found = bodies(tree, data.split(b"\n"))
        print(json.dumps({"path": path, "ok": True, "units": units, "classes": classes, "bodies": found}), flush=True)


if __name__ == "__main__":
    main()
