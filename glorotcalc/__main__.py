"""``python -m glorotcalc`` and the ``glorotcalc`` console script.

Ctrl-C is caught from the first instant: while the CLI's modules are still being imported it is
``Error: interrupted`` and exit 130, as it is later.
"""

import signal
import sys


def main() -> int:
    try:
        from glorotcalc.cli import main as run

        code = run()
    except KeyboardInterrupt:  # while importing, or between the CLI's own handlers
        sys.stderr.write("Error: interrupted\n")
        code = 130
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the answer is given: a late Ctrl-C cannot kill it
    return code


if __name__ == "__main__":
    raise SystemExit(main())
