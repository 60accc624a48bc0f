"""``python -m geoincidents``: the same command line as the ``geoincidents`` script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
