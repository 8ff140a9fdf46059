"""A throwaway PostgreSQL server on 127.0.0.1 for the Redshift tests.

initdb refuses to run as root, so as root the server runs as `nobody` in a private temp
directory. Host connections need the password (SCRAM-SHA-256, as Redshift offers), so the
tests exercise real password authentication through redshift-connector.
"""

from __future__ import annotations

import ctypes
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "sqlrun"
DATABASE = "dev"  # Redshift's default database name


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def die_with_parent() -> None:
    """In the server process: stop (fast shutdown) when the test process dies, even by kill -9."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGINT)  # PR_SET_PDEATHSIG; set after the switch to `nobody`


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    def __init__(self, password: str):
        self.password = password
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="sqlrun-pg-"))
        self.log = self.dir / "server.log"
        self._proc: subprocess.Popen | None = None
        self._as = {}
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.dir, nobody.pw_uid, nobody.pw_gid)
            self._as = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}

    def start(self) -> PostgresServer:
        initdb, postgres = find_binary("initdb"), find_binary("postgres")
        if not initdb or not postgres:
            raise RuntimeError("PostgreSQL is not installed (apt-get install -y postgresql)")
        pwfile = self.dir / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self._as:
            os.chown(pwfile, self._as["user"], self._as["group"])
        subprocess.run(
            [initdb, "-D", str(self.dir / "data"), "-U", USER, f"--pwfile={pwfile}",
             "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C",
             "--no-sync"],
            check=True, capture_output=True, cwd=self.dir, **self._as,
        )
        pwfile.unlink()
        with open(self.log, "wb") as log:
            self._proc = subprocess.Popen(
                [postgres, "-D", str(self.dir / "data"), "-p", str(self.port),
                 "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.dir}",
                 "-c", "fsync=off", "-c", "max_connections=30", "-c", "TimeZone=UTC"],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.dir, preexec_fn=die_with_parent,
                **self._as,
            )
        deadline = time.monotonic() + 30
        while "ready to accept connections" not in self.log.read_text(errors="replace"):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start:\n{self.log.read_text()[-2000:]}")
            time.sleep(0.1)
        subprocess.run(
            [find_binary("createdb") or "createdb", "-h", str(self.dir), "-p", str(self.port),
             "-U", USER, DATABASE],
            check=True, capture_output=True, cwd=self.dir, **self._as,
        )
        return self

    def server_log(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
