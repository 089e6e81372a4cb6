"""Benchmark: sqlmig analyze against the LibCST parse floor on generated projects.

    python bench/run.py [--sizes 200 1000 5000] [--out bench/out/results.json]

For each size it generates a project (bench/generate.py, seed 1), then times in one run:
- floor: single-process ``libcst.parse_module`` of exactly the files analyze reads, with the
  cyclic garbage collector off (as the scan workers run; also reported with it on);
- cold: ``sqlmig analyze --format json`` with an empty cache (process pool over all cores);
- warm: the same again, nothing changed (the stored result of the last run);
- changed: ``analyze`` again after one model file changed (per-file cache, whole analysis);
- check: ``sqlmig check FILE`` (run in the project) after that file changed once more (the cone);
and the peak resident memory of the cold run. Every time is the best of ``--repeat`` runs (3), the
floor's included: this machine's speed moves by a fifth from one run to the next, so the floor and
cold runs take turns. Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.generate import generate  # noqa: E402


def floor(root: Path, collect: bool, repeat: int) -> float:
    """Best of ``repeat`` single-process parses of every file analyze reads; ``collect``: with Python's
    cyclic garbage collector on (the interpreter's default) or off (as sqlmig's workers run)."""
    import gc

    import libcst

    from sqlmig.discover import discover

    _, files = discover([str(root)])
    sources = [Path(f.abspath).read_text(encoding="utf-8") for f in files]
    best = float("inf")
    for _ in range(repeat):
        if not collect:
            gc.disable()
        start = time.perf_counter()
        for src in sources:
            libcst.parse_module(src)
        best = min(best, time.perf_counter() - start)
        gc.enable()
        gc.collect()
    return best


def timed(cmd: list[str], repeat: int, cwd: Path | None = None, before=None) -> tuple[float, int]:
    """Best wall time of ``repeat`` runs of a child process (``before()`` runs ahead of each), and
    the peak RSS (MiB) of the largest child so far."""
    best = float("inf")
    for n in range(repeat):
        if before is not None:
            before(n)
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False, cwd=cwd)
        best = min(best, time.perf_counter() - start)
    return best, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000, 5000])
    parser.add_argument("--out", type=Path, default=HERE / "out" / "results.json")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        work = Path(tempfile.mkdtemp(prefix=f"sqlmig-bench-{size}-"))
        try:
            generate(work, size, seed=1)
            lines = sum(p.read_text().count("\n") for p in work.rglob("*.py"))
            base = [sys.executable, "-m", "sqlmig", "analyze", str(work), "--format", "json"]
            # the floor and cold runs take turns: a slow spell of the machine hits both, not one
            parse_floor = floor_with_gc = cold = float("inf")
            for _ in range(args.repeat):
                parse_floor = min(parse_floor, floor(work, collect=False, repeat=1))
                floor_with_gc = min(floor_with_gc, floor(work, collect=True, repeat=1))
                shutil.rmtree(work / ".sqlmig_cache", ignore_errors=True)
                once, peak = timed(base, 1)
                cold = min(cold, once)
            warm, _ = timed(base, args.repeat)
            changed = sorted(work.rglob("models.py"))[0]

            def touch(n: int, what: str = "touched") -> None:
                changed.write_text(changed.read_text() + f"# {what} {n}\n")

            after_change, _ = timed(base, args.repeat, before=touch)
            one, _ = timed([sys.executable, "-m", "sqlmig", "check", str(changed.relative_to(work)),
                            "--format", "json", "--exit-zero"], args.repeat, cwd=work,
                           before=lambda n: touch(n, "touched again"))
            rows.append({"files": size, "lines": lines, "parse_floor_s": round(parse_floor, 2),
                         "parse_floor_gc_on_s": round(floor_with_gc, 2),
                         "cold_s": round(cold, 2), "warm_s": round(warm, 2),
                         "one_change_s": round(after_change, 2), "check_one_file_s": round(one, 2),
                         "warm_over_cold": round(warm / cold, 3), "cold_over_floor": round(cold / parse_floor, 2),
                         "peak_rss_mib_max_child": peak, "cores": os.cpu_count()})
        finally:
            shutil.rmtree(work, ignore_errors=True)
    header = f"{'files':>6} {'lines':>8} {'floor s':>8} {'gc on s':>8} {'cold s':>7} {'warm s':>7} {'1 change s':>10} " \
             f"{'check 1 s':>9} {'warm/cold':>9} {'cold/floor':>10} {'peak MiB':>8}"
    print(header)
    for r in rows:
        print(f"{r['files']:>6} {r['lines']:>8} {r['parse_floor_s']:>8} {r['parse_floor_gc_on_s']:>8} {r['cold_s']:>7} {r['warm_s']:>7} "
              f"{r['one_change_s']:>10} {r['check_one_file_s']:>9} "
              f"{r['warm_over_cold']:>9} {r['cold_over_floor']:>10} {r['peak_rss_mib_max_child']:>8}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
