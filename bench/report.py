"""Time the migration report on a big synthetic project (rendering only: the analysis is timed by run.py).

    python bench/report.py --files 1100

With --files 1100 the generator writes about 500 models (and 1300 schemas); the diagram then
collapses to modules.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from sqlmig.config import Config  # noqa: E402
from sqlmig.report.pages import render  # noqa: E402
from sqlmig.run import run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "proj"
        generate(root, args.files)
        outcome = run([str(root)], Config(), use_cache=False)
        result = {"files": args.files, "models": len(outcome.result.models),
                  "schemas": len(outcome.result.schemas)}
        for fmt in ("html", "markdown"):
            best = float("inf")
            for _ in range(args.repeat):
                start = time.perf_counter()
                text = render(outcome.result, outcome.findings, fmt, "bench")
                best = min(best, time.perf_counter() - start)
            result[f"{fmt}_seconds"] = round(best, 3)
            result[f"{fmt}_bytes"] = len(text.encode("utf-8"))
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
