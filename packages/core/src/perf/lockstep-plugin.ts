/**
 * The pytest plugin behind same-job A/B in lockstep (`ab-interleave: rounds`, the default for timings), written
 * next to the results at run time (PYTHONPATH) and loaded with `-p ci_optimizer_lockstep`.
 *
 * The base and the PR run at the same time, but take turns: one round of pytest-benchmark in one side, then one in
 * the other, so the two sides of a benchmark are measured milliseconds apart, in the same moment's load, on the
 * same CPU (both sides are pinned to one CPU of the job, a different one for each pair). Measured on a busy 2-core
 * machine, this is what takes a benchmark's run-to-run noise from a third of pairs differing > 10% to most pairs
 * within 1-2%: load that comes and goes over seconds, and which CPU a run landed on, hit both sides alike.
 *
 * Protocol, over two FIFOs in CI_OPTIMIZER_LOCKSTEP_DIR (`to-base`, `to-head`), one byte a message:
 *  - `R` (PR side), `B`/`H` (base side: "base first"/"PR first" in the coming test): "I reached the next test"
 *    (a barrier before every test and after the last one: pytest's start-up, collection and teardown of one side
 *    never overlap the other's measuring);
 *  - `T`: "your turn" (after each round of pytest-benchmark's runner, including calibration and warm-up);
 *  - `D`: "I finished this test" (the other side runs the rest of its rounds alone).
 * Which side goes first alternates from test to test and from pair to pair; the base side decides, so sides
 * whose tests differ (a benchmark added by the PR) still agree. A side whose peer has exited (the runner writes
 * `exited-<side>`; checked every 0.2 s while waiting) runs on alone. Only the first pytest session of a side joins
 * (`joined-<side>`, created exclusively); the runner starts the PR side only once the base side has joined, and
 * falls back to whole runs one after the other when a command never loads the plugin (not pytest).
 * Without pytest-benchmark (or without its `_make_runner`), sides take turns test by test.
 */
export const LOCKSTEP_PLUGIN_MODULE = 'ci_optimizer_lockstep';

export const LOCKSTEP_PLUGIN_SOURCE = String.raw`"""ci-optimizer perf-comment, same-job A/B in lockstep (generated; see lockstep-plugin.ts)."""
import os
import select
import statistics

import pytest

_DIR = os.environ.get("CI_OPTIMIZER_LOCKSTEP_DIR")
_SIDE = os.environ.get("PERF_SIDE")
_PEER = {"base": "head", "head": "base"}.get(_SIDE)
_PAIR = int(os.environ.get("CI_OPTIMIZER_LOCKSTEP_PAIR", "0") or 0)
_s = {"active": False, "by_round": False, "tests": 0, "holding": False, "peer_in_test": False, "peer_gone": False, "inbox": b"",
      "alone": 0, "alone_by_test": {}}


def _path(name):
    return os.path.join(_DIR, name)


def _send(message):
    if not _s["peer_gone"]:
        os.write(_s["out"], message)


def _receive():
    """The peer's next message (one byte), or None once the peer has exited."""
    while not _s["inbox"]:
        if _s["peer_gone"]:
            return None
        ready, _, _ = select.select([_s["in"]], [], [], 0.2)
        if ready:
            _s["inbox"] = os.read(_s["in"], 4096)
        elif os.path.exists(_path("exited-" + _PEER)):
            _s["peer_gone"] = True
    message, _s["inbox"] = _s["inbox"][:1], _s["inbox"][1:]
    return message


def _barrier(mine):
    """Sends this side's barrier message and waits for the peer's (R, B or H; None once the peer has exited);
    what is left of the previous test's turns is dropped."""
    _send(mine)
    while True:
        message = _receive()
        if message is None or message in (b"R", b"B", b"H"):
            return message


def _acquire():
    while not _s["holding"] and _s["peer_in_test"]:
        message = _receive()
        if message == b"T":
            _s["holding"] = True
        elif message in (b"D", None):
            _s["peer_in_test"] = False
    _s["holding"] = True


def _release():
    if _s["peer_in_test"]:
        _s["holding"] = False
        _send(b"T")


def _fifo(name):
    try:
        os.mkfifo(_path(name))
    except FileExistsError:
        pass
    # Read-write: opening never blocks, and the FIFO stays open whichever side comes first.
    return os.open(_path(name), os.O_RDWR)


def pytest_configure(config):
    if not _DIR or _PEER is None or not hasattr(os, "mkfifo"):
        return
    try:
        os.close(os.open(_path("joined-" + _SIDE), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except OSError:
        return  # a second pytest session of the same run (or a nested one) runs on its own
    _s["in"] = _fifo("to-" + _SIDE)
    _s["out"] = _fifo("to-" + _PEER)
    _s["active"] = True
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cpus) > 1:
        os.sched_setaffinity(0, {cpus[_PAIR % len(cpus)]})
    _take_turns_by_round()
    # Tells the runner the PR side may start (written last: everything above is ready).
    with open(_path("ready-" + _SIDE), "w") as handle:
        handle.write(str(os.getpid()))


def _take_turns_by_round():
    try:
        from pytest_benchmark.fixture import BenchmarkFixture
    except ImportError:
        return
    make_runner = getattr(BenchmarkFixture, "_make_runner", None)
    if make_runner is None:
        return

    def _make_runner(self, *args, **kwargs):
        runner = make_runner(self, *args, **kwargs)

        def turn(*a, **k):
            _acquire()
            if not _s["peer_in_test"]:
                _s["alone"] += 1
            try:
                return runner(*a, **k)
            finally:
                _release()

        return turn

    BenchmarkFixture._make_runner = _make_runner
    _s["by_round"] = True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if not _s["active"]:
        yield
        return
    # The base side decides who goes first (from its own test count, so that sides with different tests never
    # both wait for a turn) and says so in its barrier message: B (base first) or H (PR first).
    base_first = (_s["tests"] + _PAIR) % 2 == 0
    _s["tests"] += 1
    answer = _barrier((b"B" if base_first else b"H") if _SIDE == "base" else b"R")
    _s["peer_in_test"] = not _s["peer_gone"]
    _s["holding"] = base_first if _SIDE == "base" else (answer != b"B")
    _s["alone"] = 0
    if not _s["by_round"]:
        _acquire()
    try:
        yield
    finally:
        if not _s["by_round"]:
            _release()
        _s["holding"] = False
        _s["alone_by_test"][item.nodeid] = _s["alone"]
        _send(b"D")
        if nextitem is None:
            _barrier(b"R")


@pytest.hookimpl(optionalhook=True)
def pytest_benchmark_update_json(config, benchmarks, output_json):
    """Drops the rounds a side ran after its peer had finished the test: they were not measured in turn with the
    other side (and, with the CPU's caches to themselves, run faster), so they would favour the side that had them."""
    for bench in output_json.get("benchmarks", []):
        alone = _s["alone_by_test"].get(bench.get("fullname"), 0)
        stats = bench.get("stats") or {}
        data = stats.get("data")
        if not alone or not isinstance(data, list) or alone >= len(data):
            continue
        kept = data[: len(data) - alone]
        ordered = sorted(kept)
        quartiles = statistics.quantiles(ordered, n=4) if len(ordered) >= 2 else [ordered[0]] * 3
        stats.update({
            "data": kept, "rounds": len(kept), "min": ordered[0], "max": ordered[-1], "mean": statistics.fmean(kept),
            "median": statistics.median(ordered), "stddev": statistics.stdev(kept) if len(kept) >= 2 else 0,
            "q1": quartiles[0], "q3": quartiles[2], "iqr": quartiles[2] - quartiles[0], "total": sum(kept),
        })
        if stats["mean"] > 0:
            stats["ops"] = 1 / stats["mean"]
        (bench.setdefault("extra_info", {}))["ci_optimizer_rounds_dropped"] = alone
`;
