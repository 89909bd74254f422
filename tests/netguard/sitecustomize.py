"""Loaded by every Python process started with this folder on PYTHONPATH (tests only).

Records, one JSON line per event in $FTWIZARD_NETGUARD_LOG: each process start (its argv and
the offline variables it sees) and each attempt to reach a non-loopback address (connect,
connect_ex, sendto, getaddrinfo), which it refuses with OSError(ENETUNREACH) as an offline
machine would. So a test sees the attempts of grandchildren too, which an in-process guard
cannot."""

from __future__ import annotations

import errno
import ipaddress
import json
import os
import socket
import sys

LOG = os.environ.get("FTWIZARD_NETGUARD_LOG")
WATCHED = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY",
           "DO_NOT_TRACK", "USE_HUB_KERNELS")


def _record(kind: str, detail: object) -> None:
    if not LOG:
        return
    line = json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "argv": sys.argv[:3], "kind": kind,
                       "detail": repr(detail)[:200], "env": {k: os.environ.get(k) for k in WATCHED}})
    fd = os.open(LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def _is_local(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths
    host = address[0]
    if host in (None, "", "localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse(kind: str, address: object):
    _record(kind, address)
    raise OSError(errno.ENETUNREACH, f"network blocked by the test guard ({kind} {address!r})")


_connect, _connect_ex, _sendto, _getaddrinfo = (socket.socket.connect, socket.socket.connect_ex,
                                                socket.socket.sendto, socket.getaddrinfo)


def connect(self, address):
    return _connect(self, address) if _is_local(address) else _refuse("connect", address)


def connect_ex(self, address):
    return _connect_ex(self, address) if _is_local(address) else _refuse("connect", address)


def sendto(self, data, *args):
    address = args[-1] if args else None
    return _sendto(self, data, *args) if _is_local(address) else _refuse("sendto", address)


def getaddrinfo(host, *args, **kwargs):
    return _getaddrinfo(host, *args, **kwargs) if _is_local((host,)) else _refuse("resolve", host)


socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
socket.getaddrinfo = getaddrinfo
_record("start", sys.argv[:3])
