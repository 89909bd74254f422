"""Entry point of the frozen program: the same `ftwizard` command as the pip install."""

import sys

from ftwizard.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
