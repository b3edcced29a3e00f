#!/usr/bin/env python3
"""Builds the real-world corpus: mutation ground truth for public Python projects, from clones outside the repository.

Needs the environment variable CI_OPTIMIZER_CORPUS: a folder holding one clone per project of projects.json at
$CI_OPTIMIZER_CORPUS/<name>/repo (see README.md for how to create them). For each project (in the clone, at the
pinned commit):

1. the full suite runs once clean (JUnit -> durations.json, committed; failing files there are "clean failures" and
   are removed from every mutant's failing files), and once with `--cov=<package> --cov-context=test`, which leaves
   $CI_OPTIMIZER_CORPUS/<name>/.coverage and coverage.json (`coverage json --show-contexts`) for the impact map;
2. mutants are chosen with Python's `ast` over the package's source files (never the tests), seeded, spread over
   files and over function bodies versus module/class level: flip a comparison, change a constant, swap and/or,
   swap an arithmetic operator, negate an if, return None, replace a statement with `pass`;
3. each mutant is committed on the pinned commit (fixed author and dates, so the commit id is reproducible) as the
   branch `ci-optimizer-mutant/<id>`, the full suite runs with --junitxml (kept in
   $CI_OPTIMIZER_CORPUS/<name>/runs/<id>.xml), and the record lands in bench/real-world/<name>/mutants.jsonl:
   where the change is (file, line, column, operator, node kind, sha256 of the original line — never the source),
   the failing test files, and per test file the outcome counts and time.

Usage: CI_OPTIMIZER_CORPUS=DIR python3 bench/real-world/build_corpus.py [--only NAME[,NAME]] [--mutants N]
         [--branches-only]   (re-create the mutant branches from the committed records, run nothing)
         [--coverage-only]   (only the clean run with per-test coverage: .coverage and coverage.json)
Runs are resumable: a mutant whose run record exists in the corpus folder (same commit) is not run again.
"""
import ast
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = '/usr/bin/python3'
GIT_ENV = {
    'GIT_AUTHOR_NAME': 'ci-optimizer corpus', 'GIT_AUTHOR_EMAIL': 'corpus@example.invalid',
    'GIT_COMMITTER_NAME': 'ci-optimizer corpus', 'GIT_COMMITTER_EMAIL': 'corpus@example.invalid',
    'GIT_AUTHOR_DATE': '2026-01-01T00:00:00+0000', 'GIT_COMMITTER_DATE': '2026-01-01T00:00:00+0000',
}
BRANCH_PREFIX = 'ci-optimizer-mutant/'

# ---------------------------------------------------------------------------------------------- candidates

COMPARE_FLIP = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE,
                ast.LtE: ast.Gt, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
COMPARE_TEXT = {ast.Eq: '==', ast.NotEq: '!=', ast.Lt: '<', ast.GtE: '>=', ast.Gt: '>', ast.LtE: '<=',
                ast.Is: 'is', ast.IsNot: 'is not', ast.In: 'in', ast.NotIn: 'not in'}
BINOP_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Add, ast.FloorDiv: ast.Mult, ast.Mod: ast.FloorDiv,
              ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd, ast.LShift: ast.RShift, ast.RShift: ast.LShift}
BINOP_TEXT = {ast.Add: '+', ast.Sub: '-', ast.Mult: '*', ast.FloorDiv: '//', ast.Mod: '%', ast.BitAnd: '&',
              ast.BitOr: '|', ast.LShift: '<<', ast.RShift: '>>'}
OPERATORS = ['compare-flip', 'constant-change', 'boolop-swap', 'binop-swap', 'if-negate', 'return-none',
             'statement-pass']
DELETABLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return, ast.Raise, ast.If, ast.For, ast.While,
             ast.With, ast.Try, ast.Assert, ast.Delete)


def walk_with_scope(tree):
    """Yields (node, scope, in_annotation_or_fstring, parent_field_is_docstring) for every node."""
    out = []

    def visit(node, scope, skip):
        out.append((node, scope, skip))
        for field, value in ast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for child in children:
                if not isinstance(child, ast.AST):
                    continue
                child_scope = scope
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and field in ('body',):
                    child_scope = 'function'
                elif isinstance(node, ast.ClassDef) and field == 'body' and scope == 'module':
                    child_scope = 'class'
                child_skip = skip or field in ('annotation', 'returns', 'type_comment') \
                    or isinstance(node, ast.JoinedStr) or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                            ast.ClassDef)) and field == 'decorator_list'
                visit(child, child_scope, child_skip)

    visit(tree, 'module', False)
    return out


def is_docstring(stmt):
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def candidates(tree):
    """Every (operator, node, scope) the mutator can change in one module."""
    found = []
    for node, scope, skip in walk_with_scope(tree):
        if skip or not hasattr(node, 'lineno') or getattr(node, 'end_lineno', None) is None:
            continue
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in COMPARE_FLIP:
            found.append(('compare-flip', node, scope))
        elif isinstance(node, ast.Constant) and constant_replacement(node.value) is not None:
            found.append(('constant-change', node, scope))
        elif isinstance(node, ast.BoolOp):
            found.append(('boolop-swap', node, scope))
        elif isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAP:
            found.append(('binop-swap', node, scope))
        elif isinstance(node, ast.If):
            found.append(('if-negate', node, scope))
        if isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            found.append(('return-none', node, scope))
        if isinstance(node, DELETABLE) and not is_docstring(node) and (scope == 'function' or isinstance(
                node, (ast.Assign, ast.AugAssign, ast.AnnAssign))):
            found.append(('statement-pass', node, scope))
    # docstrings are not constants worth changing
    docstrings = {id(stmt.value) for stmt, _s, _k in walk_with_scope(tree) if is_docstring(stmt)}
    return [c for c in found if id(c[1]) not in docstrings]


def constant_replacement(value):
    if isinstance(value, bool):
        return repr(not value)
    if isinstance(value, int):
        return repr(value + 1)
    if isinstance(value, float):
        return repr(value + 1.0)
    if isinstance(value, str):
        return repr(value + '_mutated') if value else repr('x')
    return None


class Source:
    def __init__(self, data: bytes):
        self.data = data
        self.starts = [0]
        for i, b in enumerate(data):
            if b == 10:
                self.starts.append(i + 1)

    def offset(self, line, col):
        return self.starts[line - 1] + col

    def span(self, node):
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def seg(self, node):
        a, b = self.span(node)
        return self.data[a:b].decode('utf-8')

    def line(self, n):
        end = self.starts[n] if n < len(self.starts) else len(self.data)
        return self.data[self.starts[n - 1]:end].rstrip(b'\r\n')


def mutate(src: Source, op, node):
    """The new file content and a detail (operator names only, no source text)."""
    start, end = src.span(node)
    if op == 'compare-flip':
        old = type(node.ops[0])
        new = COMPARE_FLIP[old]
        text = f'({src.seg(node.left)} {COMPARE_TEXT[new]} {src.seg(node.comparators[0])})'
        detail = f'{old.__name__}->{new.__name__}'
    elif op == 'constant-change':
        text = constant_replacement(node.value)
        detail = type(node.value).__name__
    elif op == 'boolop-swap':
        joiner = ' or ' if isinstance(node.op, ast.And) else ' and '
        text = '(' + joiner.join(f'({src.seg(v)})' for v in node.values) + ')'
        detail = 'And->Or' if isinstance(node.op, ast.And) else 'Or->And'
    elif op == 'binop-swap':
        old = type(node.op)
        new = BINOP_SWAP[old]
        text = f'(({src.seg(node.left)}) {BINOP_TEXT[new]} ({src.seg(node.right)}))'
        detail = f'{old.__name__}->{new.__name__}'
    elif op == 'if-negate':
        start, end = src.span(node.test)
        text = f'not ({src.seg(node.test)})'
        detail = 'If'
    elif op == 'return-none':
        start, end = src.span(node.value)
        text = 'None'
        detail = 'Return'
    elif op == 'statement-pass':
        text = 'pass'
        detail = type(node).__name__
    else:
        raise ValueError(op)
    return src.data[:start] + text.encode('utf-8') + src.data[end:], detail


def valid_mutation(old: bytes, new: bytes):
    try:
        new_tree = ast.parse(new)
        compile(new_tree, '<mutant>', 'exec')
    except (SyntaxError, ValueError):
        return False
    return ast.dump(ast.parse(old)) != ast.dump(new_tree)


def line_hash(src: Source, line):
    return hashlib.sha256(src.line(line)).hexdigest()[:16]


def source_files(repo, package_dir):
    files = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(repo, package_dir)):
        dirnames[:] = sorted(d for d in dirnames if d not in ('tests', 'test', '__pycache__'))
        for f in sorted(filenames):
            if f.endswith('.py') and not f.startswith('test_') and f != 'conftest.py':
                files.append(os.path.relpath(os.path.join(dirpath, f), repo).replace(os.sep, '/'))
    return files


def choose_mutants(repo, project, count):
    rng = random.Random(f"{project['seed']}:{project['name']}")
    pools = {}
    for path in source_files(repo, project['packageDir']):
        with open(os.path.join(repo, path), 'rb') as fh:
            data = fh.read()
        found = candidates(ast.parse(data))
        if found:
            pools[path] = (Source(data), found)
    files = sorted(pools)
    rng.shuffle(files)
    chosen, seen, attempts = [], set(), 0
    i = 0
    while len(chosen) < count and attempts < count * 50:
        attempts += 1
        path = files[i % len(files)]
        i += 1
        src, found = pools[path]
        want_outer = (len(chosen) % 4 == 3)
        pool = [c for c in found if (c[2] != 'function') == want_outer] or found
        ops = sorted({c[0] for c in pool})
        op = rng.choice(ops)
        op_pool = [c for c in pool if c[0] == op]
        _op, node, scope = rng.choice(op_pool)
        key = (path, node.lineno, node.col_offset, op)
        if key in seen:
            continue
        seen.add(key)
        new, detail = mutate(src, op, node)
        if not valid_mutation(src.data, new):
            continue
        chosen.append({
            'id': f"{project['name']}-{len(chosen) + 1:03d}", 'file': path, 'line': node.lineno,
            'col': node.col_offset, 'endLine': node.end_lineno, 'endCol': node.end_col_offset,
            'operator': op, 'nodeKind': type(node).__name__, 'detail': detail, 'scope': scope,
            'lineSha256': line_hash(src, node.lineno),
        })
    return chosen


def apply_record(repo, record):
    """Re-applies a mutant record to the clone's working tree: returns the new content of record['file']."""
    with open(os.path.join(repo, record['file']), 'rb') as fh:
        src = Source(fh.read())
    if line_hash(src, record['line']) != record['lineSha256']:
        raise SystemExit(f"{record['id']}: line {record['line']} of {record['file']} is not the recorded line "
                         f"(sha256 differs): is the clone at the pinned commit?")
    for op, node, _scope in candidates(ast.parse(src.data)):
        if (op == record['operator'] and type(node).__name__ == record['nodeKind'] and node.lineno == record['line']
                and node.col_offset == record['col'] and node.end_lineno == record['endLine']
                and node.end_col_offset == record['endCol']):
            return mutate(src, op, node)[0]
    raise SystemExit(f"{record['id']}: no {record['operator']} candidate at {record['file']}:{record['line']}")


# ---------------------------------------------------------------------------------------------- git and pytest

def git(repo, *args, env=None):
    return subprocess.run(['git', '-C', repo, *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}).stdout.strip()


def commit_mutant(repo, project, record):
    git(repo, 'checkout', '-q', '--detach', project['commit'])
    content = apply_record(repo, record)
    with open(os.path.join(repo, record['file']), 'wb') as fh:
        fh.write(content)
    git(repo, 'add', '--', record['file'])
    git(repo, 'commit', '-q', '--no-verify', '-m', f"mutant {record['id']}: {record['operator']} in {record['file']}",
        env=GIT_ENV)
    sha = git(repo, 'rev-parse', 'HEAD')
    git(repo, 'branch', '-f', BRANCH_PREFIX + record['id'], sha)
    git(repo, 'checkout', '-q', '--detach', project['commit'])
    return sha


def run_suite(repo, project, junit, timeout, extra=(), env_extra=None):
    cmd = [PYTHON, '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-o', 'junit_family=xunit1',
           f'--junitxml={junit}', *extra, *project['testArgs']]
    env = {**os.environ, 'PYTHONDONTWRITEBYTECODE': '1', 'PYTHONHASHSEED': '0', **(env_extra or {})}
    if project.get('pythonPath'):
        env['PYTHONPATH'] = project['pythonPath']
    if os.path.exists(junit):
        os.remove(junit)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: (os.setsid(), os.nice(10)))
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return None, time.monotonic() - started
    return code, time.monotonic() - started


def file_of(case, repo):
    """The test module a test case was collected from. pytest's classname is the node id's module and class path
    (`tests.test_lru.LRUCacheTest`); the xunit1 `file` attribute is where the test function is *defined*, which for
    inherited test methods is the base class's module, so it is only the fallback."""
    parts = (case.get('classname') or '').split('.')
    for n in range(len(parts), 0, -1):
        candidate = '/'.join(parts[:n]) + '.py'
        if os.path.isfile(os.path.join(repo, candidate)):
            return candidate
    f = case.get('file')
    return f.replace(os.sep, '/') if f else '(unknown)'


def read_junit(path, repo):
    """Per test file: {passed, failed, error, skipped, time}."""
    per_file = {}
    for case in ET.parse(path).iter('testcase'):
        f = file_of(case.attrib, repo)
        entry = per_file.setdefault(f, {'passed': 0, 'failed': 0, 'error': 0, 'skipped': 0, 'time': 0.0})
        entry['time'] += float(case.get('time') or 0)
        kinds = {child.tag for child in case}
        if 'failure' in kinds:
            entry['failed'] += 1
        elif 'error' in kinds:
            entry['error'] += 1
        elif 'skipped' in kinds:
            entry['skipped'] += 1
        else:
            entry['passed'] += 1
    for entry in per_file.values():
        entry['time'] = round(entry['time'], 4)
    return dict(sorted(per_file.items()))


def failing(per_file):
    return sorted(f for f, e in per_file.items() if e['failed'] or e['error'])


# ---------------------------------------------------------------------------------------------- per project

def build_project(corpus, project, count, branches_only, coverage_only=False):
    name = project['name']
    base = os.path.join(corpus, name)
    repo = os.path.join(base, 'repo')
    out_dir = os.path.join(HERE, name)
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(os.path.join(base, 'runs'), exist_ok=True)
    if not os.path.isdir(os.path.join(repo, '.git')):
        raise SystemExit(f'{name}: no clone at {repo} (see bench/real-world/README.md)')
    if git(repo, 'status', '--porcelain', '--untracked-files=no'):
        raise SystemExit(f'{name}: the clone has local changes; commit or discard them first')
    git(repo, 'checkout', '-q', '--detach', project['commit'])
    records_path = os.path.join(out_dir, 'mutants.jsonl')

    if branches_only:
        with open(records_path) as fh:
            records = [json.loads(line) for line in fh if line.strip()]
        for r in records:
            sha = commit_mutant(repo, project, r)
            if sha != r['commit']:
                print(f"{r['id']}: commit {sha} differs from the recorded {r['commit']} (git version?)")
        print(f'{name}: {len(records)} mutant branches re-created')
        return

    # 1. clean run (durations) and coverage run
    if not coverage_only:
        clean_xml = os.path.join(base, 'clean.xml')
        clean_json = os.path.join(base, 'clean.json')
        if os.path.exists(clean_json) and os.path.exists(clean_xml):
            with open(clean_json) as fh:
                seconds = json.load(fh)['seconds']
        else:
            code, seconds = run_suite(repo, project, clean_xml, 1800)
            with open(clean_json, 'w') as fh:
                json.dump({'seconds': seconds, 'exitCode': code}, fh)
        clean = read_junit(clean_xml, repo)
        clean_failing = failing(clean)
        print(f'{name}: clean run {seconds:.1f}s, {sum(e["passed"] for e in clean.values())} passed, '
              f'clean failures in {clean_failing}', flush=True)
        with open(os.path.join(out_dir, 'durations.json'), 'w') as fh:
            json.dump({'project': name, 'commit': project['commit'], 'wallSeconds': round(seconds, 2),
                       'cleanFailingFiles': clean_failing, 'testFiles': clean}, fh, indent=1)
            fh.write('\n')
    cov_file = os.path.join(base, '.coverage')
    cov_json = os.path.join(base, 'coverage.json')
    if not os.path.exists(cov_json):
        if os.path.exists(cov_file):
            os.remove(cov_file)
        run_suite(repo, project, os.path.join(base, 'coverage-run.xml'), 3600,
                  extra=[f"--cov={project['package']}", '--cov-context=test', '--cov-report='],
                  env_extra={'COVERAGE_FILE': cov_file})
        subprocess.run([PYTHON, '-m', 'coverage', 'json', '--show-contexts', '-o', cov_json], cwd=repo, check=True,
                       env={**os.environ, 'COVERAGE_FILE': cov_file}, capture_output=True)
    with open(cov_json) as fh:
        cov = json.load(fh)
    summary = {}
    for path, data in sorted(cov['files'].items()):
        contexts = set()
        for ctxs in (data.get('contexts') or {}).values():
            contexts.update(ctxs)
        summary[path] = {'executedLines': len(data.get('executed_lines', [])),
                         'missingLines': len(data.get('missing_lines', [])), 'contexts': len(contexts)}
    with open(os.path.join(out_dir, 'coverage-summary.json'), 'w') as fh:
        json.dump({'project': name, 'coverageVersion': cov.get('meta', {}).get('version'), 'files': summary}, fh,
                  indent=1)
        fh.write('\n')
    if coverage_only:
        print(f'{name}: coverage in {cov_file} and {cov_json}')
        return

    # 2. mutants
    timeout = max(30.0, 3 * seconds)
    records = choose_mutants(repo, project, count)
    with open(records_path, 'w') as out:
        for r in records:
            r['commit'] = commit_mutant(repo, project, r)
            r['branch'] = BRANCH_PREFIX + r['id']
            run_json = os.path.join(base, 'runs', r['id'] + '.json')
            cached = None
            if os.path.exists(run_json):
                with open(run_json) as fh:
                    cached = json.load(fh)
                if cached.get('commit') != r['commit']:
                    cached = None
            if cached is None:
                git(repo, 'checkout', '-q', '--detach', r['commit'])
                xml = os.path.join(base, 'runs', r['id'] + '.xml')
                code, secs = run_suite(repo, project, xml, timeout)
                git(repo, 'checkout', '-q', '--detach', project['commit'])
                if code is None:
                    cached = {'commit': r['commit'], 'outcome': 'timeout', 'seconds': round(secs, 2),
                              'failingFiles': None, 'testFiles': None}
                else:
                    per_file = read_junit(xml, repo) if os.path.exists(xml) else {}
                    fails = [f for f in failing(per_file) if f not in clean_failing]
                    if not per_file:
                        outcome = 'no-junit'
                    else:
                        outcome = 'killed' if fails else 'survived'
                    cached = {'commit': r['commit'], 'outcome': outcome, 'exitCode': code, 'seconds': round(secs, 2),
                              'failingFiles': fails, 'testFiles': per_file}
                with open(run_json, 'w') as fh:
                    json.dump(cached, fh)
            xml = os.path.join(base, 'runs', r['id'] + '.xml')
            if cached['outcome'] != 'timeout' and os.path.exists(xml):  # re-read: the file attribution may improve
                per_file = read_junit(xml, repo)
                fails = [f for f in failing(per_file) if f not in clean_failing]
                cached.update({'testFiles': per_file, 'failingFiles': fails,
                               'outcome': 'killed' if fails else 'survived' if per_file else 'no-junit'})
            r.update({k: cached[k] for k in ('outcome', 'seconds', 'failingFiles', 'testFiles')})
            r['junit'] = f"{name}/runs/{r['id']}.xml" if cached['outcome'] not in ('timeout',) else None
            out.write(json.dumps(r, sort_keys=False) + '\n')
            out.flush()
            print(f"  {r['id']} {r['operator']:16} {r['file']}:{r['line']} -> {r['outcome']} "
                  f"{len(r['failingFiles'] or [])} failing files, {r['seconds']}s", flush=True)


def main(argv):
    corpus = os.environ.get('CI_OPTIMIZER_CORPUS')
    if not corpus:
        raise SystemExit('Set CI_OPTIMIZER_CORPUS to the folder with the clones (see bench/real-world/README.md).')
    only = None
    count = None
    if '--only' in argv:
        only = set(argv[argv.index('--only') + 1].split(','))
    if '--mutants' in argv:
        count = int(argv[argv.index('--mutants') + 1])
    with open(os.path.join(HERE, 'projects.json')) as fh:
        projects = json.load(fh)['projects']
    for project in projects:
        if only and project['name'] not in only:
            continue
        build_project(corpus, project, count or project['mutants'], '--branches-only' in argv, '--coverage-only' in argv)


if __name__ == '__main__':
    main(sys.argv[1:])
