"""`ftwizard runtime list|check|install|gui-launch`: the Python interpreter that trains (the
`train` extra). `gui-launch` starts a short run the way the GUI's Start button does, offscreen."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ftwizard.cli.common import add_json_flag, print_json


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("runtime", help="find, check or install the Python that runs training")
    rsub = p.add_subparsers(dest="runtime_command", metavar="ACTION", required=True)
    lp = rsub.add_parser("list", help="check every candidate interpreter, best first")
    lp.add_argument("--configured", metavar="PYTHON",
                    help="the interpreter chosen in Settings (default: FTWIZARD_PYTHON or Settings)")
    _timeout(lp)
    add_json_flag(lp)
    cp = rsub.add_parser("check", help="check one interpreter (default: the one training would use)")
    cp.add_argument("python", nargs="?", metavar="PYTHON", help="interpreter or environment folder")
    _timeout(cp)
    add_json_flag(cp)
    ip = rsub.add_parser("install", help="create the runtime from an offline wheelhouse (pip --no-index)")
    ip.add_argument("--wheelhouse", required=True, metavar="DIR",
                    help="folder made by packaging/offline-wheelhouse.sh")
    ip.add_argument("--target", metavar="DIR", help="where the venv goes (default: the user's data folder)")
    ip.add_argument("--python", metavar="PYTHON", help="interpreter to create the venv from")
    ip.add_argument("--no-check", action="store_true", help="skip the diagnostic after installing")
    _timeout(ip)
    gp = rsub.add_parser("gui-launch", help="start a short run through the GUI's run monitor, offscreen "
                         "(checks an installation end to end)",
                         description="Start a short run through the GUI's run monitor, offscreen, in the "
                         "training runtime it finds; exit 0 when the adapter is written (installer checks)")
    gp.add_argument("--model-dir", required=True, metavar="DIR")
    gp.add_argument("--data", required=True, metavar="FILE")
    gp.add_argument("--runs-dir", required=True, metavar="DIR")
    gp.add_argument("--max-steps", type=int, default=3, metavar="N")
    _timeout(gp)
    return p


def _timeout(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timeout", type=float, default=60.0, metavar="S",
                   help="seconds each interpreter may take to import torch (default 60)")


def run(args: argparse.Namespace) -> int:
    return {"list": _list, "check": _check, "install": _install,
            "gui-launch": _gui_launch}[args.runtime_command](args)


def _gui_launch(args: argparse.Namespace) -> int:
    from ftwizard.gui.headless_launch import gui_launch

    return gui_launch(Path(args.model_dir).resolve(), Path(args.data).resolve(), Path(args.runs_dir).resolve(),
                      max_steps=args.max_steps, timeout_s=max(args.timeout, 60.0) * 10,
                      echo=lambda s: print(s, flush=True))


def _list(args: argparse.Namespace) -> int:
    from ftwizard.runtime.candidates import configured_python, find_runtimes
    from ftwizard.runtime.diagnosis import diagnose

    found = find_runtimes(args.configured or configured_python())
    diags = [diagnose(c, args.timeout) for c in found]
    if args.json:
        print_json({"runtimes": [d.model_dump(mode="json") for d in diags]})
        return 0
    if not diags:
        print("No training interpreter found. Install one offline with "
              "`ftwizard runtime install --wheelhouse DIR`, or pip install 'ftwizard[train]' "
              "in a venv and name it in Settings.")
        return 0
    for d in diags:
        print("\n".join(d.summary_lines()))
    return 0


def _check(args: argparse.Namespace) -> int:
    from ftwizard.runtime.candidates import RuntimeCandidate, venv_python
    from ftwizard.runtime.diagnosis import diagnose
    from ftwizard.runtime.rule import training_runtime

    if args.python:
        path = Path(args.python).expanduser()
        target = RuntimeCandidate(str(venv_python(path) if path.is_dir() else path), "configured",
                                  "given on the command line")
    else:  # the one training would use (the rule), else the configured one that failed, to say why
        rt = training_runtime()
        if rt.python is None and rt.diagnostic is None:
            from ftwizard.runtime_install import RuntimeSetupError

            raise RuntimeSetupError(rt.problem or "no training interpreter")
        target = RuntimeCandidate(rt.diagnostic.python, rt.diagnostic.source, rt.diagnostic.label)
    d = diagnose(target, args.timeout)
    if args.json:
        print_json(d)
    else:
        print("\n".join(d.summary_lines()))
    return 0 if d.ready else 1


def _install(args: argparse.Namespace) -> int:
    from ftwizard.runtime.candidates import RuntimeCandidate, default_runtime_dir
    from ftwizard.runtime.diagnosis import diagnose
    from ftwizard.runtime_install import RuntimeSetupError, install_runtime

    target = Path(args.target) if args.target else default_runtime_dir()
    python = install_runtime(Path(args.wheelhouse), target, base_python=args.python,
                             echo=lambda s: print(s, flush=True))
    print(f"Installed the training runtime: {python}")
    if args.no_check:
        return 0
    d = diagnose(RuntimeCandidate(str(python), "installed", "the new runtime"), args.timeout)
    print("\n".join(d.summary_lines()))
    sys.stdout.flush()
    if not d.ready:
        raise RuntimeSetupError(f"{target}: installed, but not ready: {d.problems[0]}")
    return 0
