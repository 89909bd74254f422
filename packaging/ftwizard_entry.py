"""Entry point of the frozen program: the same `ftwizard` command as the pip install."""

import os
import sys

from ftwizard.cli.main import main


def _restore_library_path() -> None:
    """Programs this one starts (the training runtime's Python, nvidia-smi) get the library path
    the user had, not the one PyInstaller's bootloader set for the bundle (it keeps the original
    in *_ORIG): a runtime Python loading the bundle's libpython, libstdc++ or libz breaks torch.
    This process is not affected: the loader read the variable when it started."""
    for var in ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "LIBPATH"):
        orig = os.environ.pop(f"{var}_ORIG", None)
        if orig is not None:
            os.environ[var] = orig
            continue
        bundle = getattr(sys, "_MEIPASS", None)
        if bundle and bundle in os.environ.get(var, ""):
            del os.environ[var]


if __name__ == "__main__":
    _restore_library_path()
    sys.exit(main())
