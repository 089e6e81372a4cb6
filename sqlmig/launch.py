"""The console script and ``python -m sqlmig``: a ``Spare`` scanner is forked first, for the runs
that may use one, so it loads LibCST while the CLI loads; then ``cli.entry``."""

from __future__ import annotations

import sys


def entry() -> None:
    from sqlmig import spare

    spare.start_early(sys.argv[1:])
    from sqlmig.cli import entry as cli_entry

    cli_entry()
