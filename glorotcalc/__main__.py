"""``python -m glorotcalc``."""

from glorotcalc.cli import main

raise SystemExit(main())
