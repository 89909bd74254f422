"""The `ftwizard` command: one CLI over the same Qt-free packages as the GUI.

Each subcommand lives in its own module `ftwizard.cli.<name>` with two functions:
`add_parser(subparsers)` and `run(args) -> int`. Modules import heavy things inside
`run`, so `ftwizard --help` stays fast. Exit codes: 0 success, 2 bad input (one line on
stderr naming file, line or field), 1 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from collections.abc import Sequence

from ftwizard import __version__

# Subcommand modules, in the order `--help` lists them.
COMMANDS: tuple[str, ...] = (
    "catalog",
    "schema",
    "data",
    "detect",
    "estimate",
    "plan",
    "calibration",
    "export",
    "doctor",
    "train",
    "runs",
    "runtime",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ftwizard",
        description="Decide how to fine-tune an open LLM, then do it on your own workstation. "
        "With no command, opens the wizard.",
    )
    parser.add_argument("--version", action="version", version=f"ftwizard {__version__}")
    parser.add_argument(
        "--user-catalog",
        metavar="FILE",
        help="overlay a user catalog file (models, GPUs, prices) on the shipped one",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation (wizard offscreen, catalog, detection, PDF) and exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"ftwizard.cli.{name}_cmd")
        sp = module.add_parser(sub)
        sp.set_defaults(_module=module)
    _finite_floats(parser)
    return parser


def finite_float(text: str) -> float:
    """argparse's float, without 'inf' and 'nan': a number no result can be computed from."""
    value = float(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


finite_float.__name__ = "float"  # argparse names the type in its message: "invalid float value"


def _finite_floats(parser: argparse.ArgumentParser) -> None:
    """Every `type=float` flag of every subcommand takes finite numbers only (one edge, checked once)."""
    for action in parser._actions:
        if action.type is float:
            action.type = finite_float
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                _finite_floats(child)


def main(argv: Sequence[str] | None = None) -> int:
    from ftwizard.base.errors import FtwizardError

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        from ftwizard.selftest import main as self_test

        return self_test()
    if args.command is None:
        return gui_main([])
    try:
        from ftwizard.base.logs import setup_logging

        setup_logging()
    except OSError:
        pass  # an unwritable log folder must not stop a command; `ftwizard doctor` reports it
    try:
        return int(args._module.run(args) or 0)
    except FtwizardError as exc:
        first = str(exc).splitlines()
        print(f"ftwizard: error: {first[0] if first else exc}", file=sys.stderr)
        for line in first[1:5]:
            print(f"  {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("ftwizard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def gui_main(argv: Sequence[str] | None = None) -> int:
    """Open the wizard. Until the GUI exists, say so and show the commands."""
    try:
        from ftwizard.gui.app import run_app
    except ImportError:
        build_parser().print_help()
        return 0
    return run_app(list(argv or []))


if __name__ == "__main__":
    raise SystemExit(main())
