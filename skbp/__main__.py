"""Run the skbp command-line interface: ``python -m skbp --help``."""

from skbp._tools.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
