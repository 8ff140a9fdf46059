"""A test-only TCP proxy between redshift-connector and a stock PostgreSQL server.

redshift-connector sends Redshift-only startup parameters (client_protocol_version,
driver_version, os_version, ...) that PostgreSQL rejects with FATAL. The shim drops those
from the startup packet, answers an SSL request with "no SSL", and otherwise copies bytes
both ways unchanged, except the server_version it reports, which it rewrites to Redshift's
("8.0.2": the connector cannot parse "15.18 (Debian ...)"), and the SCRAM mechanism list,
whose terminator the connector misparses. It also records every SQL text the client
runs (simple Query and extended-protocol Bind messages, cached prepared statements
included), so tests can assert the exact SQL that went over the wire.
"""

from __future__ import annotations

import socket
import struct
import threading

SSL_REQUEST = 80877103
PROTOCOL_3 = 196608
# What PostgreSQL accepts in a startup packet; everything else is Redshift-only.
PG_STARTUP_KEYS = {"user", "database", "application_name", "options", "replication"}
REDSHIFT_SERVER_VERSION = b"8.0.2"
SASL = struct.pack("!i", 10)  # AuthenticationSASL


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("peer closed")
        data += chunk
    return data


def _startup_params(body: bytes) -> dict[str, str]:
    parts = body.split(b"\0")
    keys, values = parts[0:-2:2], parts[1:-1:2]
    return {k.decode(): v.decode() for k, v in zip(keys, values)}


class WireShim:
    """Listens on 127.0.0.1:<port> and forwards to upstream (host, port)."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.sent_sql: list[str] = []
        self.startups: list[dict[str, str]] = []
        # Test hook: SQL text -> the text the server runs instead (None: unchanged); recorded as sent.
        self.rewrite = None
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._closed = True
        self._server.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.upstream)
            # Without NODELAY, each small protocol message waits for a delayed ACK (~40 ms).
            server.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            client.close()
            return
        try:
            while True:
                length = struct.unpack("!i", _recv_exact(client, 4))[0]
                body = _recv_exact(client, length - 4)
                code = struct.unpack("!i", body[:4])[0]
                if code == SSL_REQUEST:
                    client.sendall(b"N")
                    continue
                break
            if code == PROTOCOL_3:
                params = _startup_params(body[4:])
                self.startups.append(params)
                kept = b"".join(
                    k.encode() + b"\0" + v.encode() + b"\0"
                    for k, v in params.items()
                    if k in PG_STARTUP_KEYS
                )
                body = struct.pack("!i", PROTOCOL_3) + kept + b"\0"
            server.sendall(struct.pack("!i", len(body) + 4) + body)
        except (ConnectionError, OSError):
            client.close()
            server.close()
            return
        threading.Thread(target=self._server_to_client, args=(server, client), daemon=True).start()
        self._client_to_server(client, server)

    def _server_to_client(self, server: socket.socket, client: socket.socket) -> None:
        try:
            while True:
                header = _recv_exact(server, 5)
                kind, length = header[:1], struct.unpack("!i", header[1:])[0]
                body = _recv_exact(server, length - 4)
                if kind == b"S" and body.startswith(b"server_version\0"):
                    body = b"server_version\0" + REDSHIFT_SERVER_VERSION + b"\0"
                    header = kind + struct.pack("!i", len(body) + 4)
                elif kind == b"R" and body[:4] == SASL and body.endswith(b"\0\0"):
                    # The connector reads the mechanism list as body[4:-1].split(NUL), so
                    # PostgreSQL's list terminator becomes an empty mechanism scramp rejects.
                    body = body[:-1]
                    header = kind + struct.pack("!i", len(body) + 4)
                client.sendall(header + body)
        except (ConnectionError, OSError):
            pass
        finally:
            _shutdown(server, client)

    def _client_to_server(self, client: socket.socket, server: socket.socket) -> None:
        # Message by message, so the SQL of each executed statement can be recorded.
        prepared: dict[bytes, bytes] = {}
        parsed: set[bytes] = set()  # parsed and not yet bound: recorded once already
        try:
            while True:
                header = _recv_exact(client, 5)
                kind, length = header[:1], struct.unpack("!i", header[1:])[0]
                body = _recv_exact(client, length - 4)
                if kind == b"Q":
                    self.sent_sql.append(body[:-1].decode())
                    body = self._rewritten(body, 0)
                elif kind == b"P":  # Parse: recorded even if the server then rejects it
                    name_end = body.index(b"\0")
                    name = body[:name_end]
                    prepared[name] = body[name_end + 1 : body.index(b"\0", name_end + 1)]
                    self.sent_sql.append(prepared[name].decode())
                    parsed.add(name)
                    body = self._rewritten(body, name_end + 1)
                elif kind == b"B":  # Bind of a cached statement (no Parse): it runs again
                    portal_end = body.index(b"\0")
                    name = body[portal_end + 1 : body.index(b"\0", portal_end + 1)]
                    if name in parsed:
                        parsed.discard(name)
                    else:
                        self.sent_sql.append(prepared[name].decode())
                server.sendall(kind + struct.pack("!i", len(body) + 4) + body)
        except (ConnectionError, OSError):
            pass
        finally:
            _shutdown(client, server)

    def _rewritten(self, body: bytes, start: int) -> bytes:
        end = body.index(b"\0", start)
        new = self.rewrite(body[start:end].decode()) if self.rewrite else None
        return body if new is None else body[:start] + new.encode() + body[end:]


def _shutdown(*socks: socket.socket) -> None:
    for sock in socks:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
