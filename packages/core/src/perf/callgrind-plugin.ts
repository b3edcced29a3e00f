/**
 * The pytest plugin behind `measure: instructions`, written next to the results at run time (PYTHONPATH) and
 * loaded with `-p ci_optimizer_callgrind` in place of pytest-benchmark (`-p no:benchmark`).
 *
 * It provides the `benchmark` fixture (`benchmark(fn, *args)` and `benchmark.pedantic(...)`). Under
 * `valgrind --tool=callgrind --dump-before=getppid` every `os.getppid()` makes callgrind write the instructions
 * counted since the previous one and start again from zero: the plugin calls it around the benchmarked body
 * (after warm-up calls, with the garbage collector off), and around nothing for the harness's own cost, so a
 * benchmark's count is (marker..body..marker) minus (marker..marker): the body alone, not pytest, imports or the
 * interpreter's start. Each benchmark is measured `REPS` times; the value is the median. The dumps are read after
 * the session, from the folder in CI_OPTIMIZER_CALLGRIND_DIR, and the counts written to $PERF_OUTPUT as perf-
 * comment's generic results list (unit `instructions`).
 */
export const CALLGRIND_PLUGIN_MODULE = 'ci_optimizer_callgrind';

export const CALLGRIND_PLUGIN_SOURCE = String.raw`"""ci-optimizer perf-comment, measure: instructions (generated; see callgrind-plugin.ts)."""
import gc
import json
import os

import pytest

REPS = int(os.environ.get("CI_OPTIMIZER_CALLGRIND_REPS", "5"))
WARMUP = 2
_state = {"marks": 0, "results": []}


def _mark():
    os.getppid()
    _state["marks"] += 1
    return _state["marks"]


class InstructionBenchmark:
    """Stands in for pytest-benchmark's fixture; counts instructions instead of timing."""

    def __init__(self, item):
        self.name = item.name
        self.fullname = item.nodeid
        self.group = None
        self.extra_info = {}
        self.stats = None
        self._item = item
        self._used = False

    def __call__(self, function_to_benchmark, *args, **kwargs):
        return self._measure(function_to_benchmark, lambda: (args, kwargs))

    def pedantic(self, target, args=(), kwargs=None, setup=None, rounds=1, warmup_rounds=0, iterations=1):
        def prepare():
            if setup is None:
                return args, kwargs or {}
            made = setup()
            return made if made is not None else (args, kwargs or {})

        return self._measure(target, prepare)

    def _measure(self, function, prepare):
        if self._used:
            raise pytest.UsageError("the benchmark fixture can be used only once per test")
        self._used = True
        result = None
        for _ in range(WARMUP):
            a, k = prepare()
            result = function(*a, **k)
        enabled = gc.isenabled()
        gc.collect()
        gc.disable()
        body, empty = [], []
        try:
            for _ in range(REPS):
                a, k = prepare()
                _mark()
                function(*a, **k)
                body.append(_mark())
                empty.append(_mark())
        finally:
            if enabled:
                gc.enable()
        _state["results"].append({"name": self.fullname, "label": self.name, "body": body, "empty": empty})
        return result


@pytest.fixture
def benchmark(request):
    return InstructionBenchmark(request.node)


def pytest_addoption(parser):
    # The benchmark command keeps its pytest-benchmark options; they are accepted and ignored here.
    try:
        from pytest_benchmark.plugin import pytest_addoption as benchmark_options
    except ImportError:
        group = parser.getgroup("benchmark")
        for name in ("json", "max-time", "min-time", "min-rounds", "warmup", "warmup-iterations", "timer",
                     "calibration-precision", "save", "group-by", "sort", "columns", "name", "storage"):
            group.addoption("--benchmark-" + name, action="store", default=None)
        for name in ("only", "skip", "disable", "enable", "save-data", "autosave", "disable-gc", "verbose", "quiet"):
            group.addoption("--benchmark-" + name, action="store_true", default=False)
        return
    benchmark_options(parser)


def pytest_configure(config):
    config.addinivalue_line("markers", "benchmark(**options): pytest-benchmark options (ignored when counting instructions)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--benchmark-only", default=False):
        skip = pytest.mark.skip(reason="--benchmark-only: not a benchmark")
        for item in items:
            if "benchmark" not in getattr(item, "fixturenames", ()):
                item.add_marker(skip)


def _instructions(folder, pid, dump):
    path = os.path.join(folder, "cg.%d.%d" % (pid, dump))
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError("no instruction total in " + path)


def _median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def pytest_sessionfinish(session, exitstatus):
    output = os.environ.get("PERF_OUTPUT")
    folder = os.environ.get("CI_OPTIMIZER_CALLGRIND_DIR")
    if not output or not folder:
        raise pytest.UsageError("ci_optimizer_callgrind runs only under perf-comment's measure: instructions (PERF_OUTPUT and CI_OPTIMIZER_CALLGRIND_DIR unset)")
    pid = os.getpid()
    prefix = "cg.%d." % pid
    dumps = [name for name in os.listdir(folder) if name.startswith(prefix) and name[len(prefix):].isdigit()]
    if _state["results"] and len(dumps) < _state["marks"]:
        raise pytest.UsageError(
            "found %d callgrind dumps for %d markers: pytest is not running under "
            "valgrind --tool=callgrind --dump-before=getppid" % (len(dumps), _state["marks"]))
    # Dumps made before the first marker (anything else that called getppid) shift the numbering.
    offset = len(dumps) - _state["marks"]
    rows = []
    for result in _state["results"]:
        body = [_instructions(folder, pid, m + offset) for m in result["body"]]
        empty = [_instructions(folder, pid, m + offset) for m in result["empty"]]
        harness = _median(empty)
        samples = [max(0, count - harness) for count in body]
        rows.append({"name": result["name"], "label": result["label"], "unit": "instructions",
                     "value": _median(samples), "samples": samples})
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(rows, handle)
`;
