"""Test-wide rules: nothing reaches the network, no test touches the real user folders."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


class NetworkBlocked(AssertionError):
    pass


def _is_local(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and the like
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: resolving it would already be a network use


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self, address):
    if not _is_local(address):
        raise NetworkBlocked(f"test tried to open a network connection to {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_local(address):
        raise NetworkBlocked(f"test tried to open a network connection to {address!r}")
    return _real_connect_ex(self, address)


_real_sendto = socket.socket.sendto


def _guarded_sendto(self, data, *args):
    """UDP needs no connect: a datagram to a non-loopback address is blocked here."""
    address = args[-1] if args else None
    if not _is_local(address):
        raise NetworkBlocked(f"test tried to send a datagram to {address!r}")
    return _real_sendto(self, data, *args)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost", "") and not _is_local((host,)):
        raise NetworkBlocked(f"test tried to resolve host {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Every test, not opt-in: a connection to anything but loopback fails the test."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", _guarded_sendto)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    yield


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """User state (autosave, settings, runs, logs) goes to a fresh temp folder per test."""
    home = tmp_path_factory.mktemp("ftwizard-home")
    monkeypatch.setenv("FTWIZARD_HOME", str(home))
    yield home


@pytest.fixture(autouse=True)
def _fresh_logging():
    """A log file handler a test attached (main() does) does not outlive it: the next test
    logs into its own FTWIZARD_HOME, at the level it asks for."""
    yield
    logger = logging.getLogger("ftwizard")
    for h in list(logger.handlers):
        if isinstance(h, logging.FileHandler):
            logger.removeHandler(h)
            h.close()
    logger.setLevel(logging.NOTSET)
