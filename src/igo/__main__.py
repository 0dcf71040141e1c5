"""``python -m igo``: the same as the ``igo`` console script."""

import sys

from igo.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
