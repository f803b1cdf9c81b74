"""``python -m glorotcalc`` and the ``glorotcalc`` console script.

Ctrl-C is caught from the first instant: while the CLI's modules are still being imported it is
``Error: interrupted`` and exit 130, as it is later.
"""

import sys


def main() -> int:
    try:
        from glorotcalc.cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("Error: interrupted\n")
        return 130
    return run()


if __name__ == "__main__":
    raise SystemExit(main())
