#!/bin/sh
# /usr/bin/ftwizard: runs the program installed in /opt/ftwizard. The path is found relative to
# this file, so the package also works unpacked into another root (dpkg-deb -x, tests).
here=$(dirname "$(readlink -f "$0")")
exec "$here/../../opt/ftwizard/ftwizard" "$@"
