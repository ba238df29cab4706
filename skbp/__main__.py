"""Run the skbp command line: ``python -m skbp`` (the demo), ``python -m skbp train --help``."""

from skbp._tools.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
