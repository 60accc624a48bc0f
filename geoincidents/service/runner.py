"""``geoincidents serve``: run the geocoding service with uvicorn.

Binds ``127.0.0.1`` unless told otherwise, and warns when asked to bind anything that is not loopback. SIGTERM
and SIGINT stop it gracefully: it stops accepting connections, finishes the requests under way and exits 0.
This module imports neither Starlette nor uvicorn until the service starts, so that ``geoincidents --help``
works without the ``serve`` extra.
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn

__all__ = ["add_parser", "run", "serve", "make_server", "is_loopback"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
_INSTALL_HINT = 'the service needs the serve extra: pip install "geoincidents[serve]"'


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``serve`` command to the ``geoincidents`` command line (``subparsers`` of argparse)."""
    p = subparsers.add_parser(
        "serve",
        help="run a Nominatim-compatible geocoding service for the gazetteer",
        description="Run a Nominatim-compatible HTTP geocoding service (/search, /reverse, /status, /sites, "
        "POST /geocode) answering from the gazetteer. See docs/service.md.",
    )
    p.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST}: this machine)"
    )
    p.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free)"
    )
    p.add_argument("--gazetteer", type=Path, metavar="DIR", help="folder with sites.csv (and aliases.csv)")
    p.add_argument(
        "--fallback",
        choices=["nominatim"],
        help="ask Nominatim for names the gazetteer does not know (at most once a second, cached)",
    )
    p.add_argument(
        "--fallback-domain",
        default="nominatim.openstreetmap.org",
        help="host[:port] of the Nominatim used as fallback",
    )
    p.add_argument("--fallback-scheme", default="https", choices=["https", "http"])
    p.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow browser pages from this origin (repeatable; '*' for any); off by default",
    )
    p.add_argument("--rate-limit", type=float, metavar="N", help="at most N requests a second per client")
    p.add_argument("--access-log", action="store_true", help="log every request")
    p.set_defaults(handler=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Start the service for parsed ``geoincidents serve`` arguments; returns the exit code once stopped."""
    try:
        from .app import create_app
    except ImportError as exc:  # Starlette or uvicorn missing
        raise ValueError(f"{_INSTALL_HINT} ({exc})") from None
    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port: {args.port} is not a port number (0-65535)")
    if args.rate_limit is not None and not args.rate_limit > 0:
        raise ValueError("--rate-limit: give a positive number of requests per second")
    gazetteer, label = None, "bundled"
    if args.gazetteer is not None:
        from ..gazetteer import Gazetteer

        if not args.gazetteer.is_dir():
            raise ValueError(f"--gazetteer: {args.gazetteer} is not a folder")
        gazetteer, label = Gazetteer.from_files(args.gazetteer), str(args.gazetteer)
    fallback = None
    if args.fallback == "nominatim":
        from geopy.geocoders import Nominatim

        from .. import __version__

        fallback = Nominatim(
            domain=args.fallback_domain,
            scheme=args.fallback_scheme,
            user_agent=f"geoincidents/{__version__} (geoincidents serve fallback)",
        )
    app = create_app(
        gazetteer,
        fallback=fallback,
        cors_origins=args.cors_origin,
        rate_limit=args.rate_limit,
        gazetteer_label=label,
    )
    serve(app, args.host, args.port, access_log=args.access_log)
    return 0


def serve(app: Any, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, access_log: bool = False) -> None:
    """Serve an ASGI ``app`` on ``host:port`` until SIGTERM or SIGINT; prints the address it listens on.

    Parameters
    ----------
    app : ASGI application
        Usually :func:`geoincidents.service.create_app`.
    host : str, default "127.0.0.1"
        A warning is printed when this is not a loopback address.
    port : int, default 8080
        0 picks a free port.
    access_log : bool, default False
        Log every request to stdout.
    """
    server, sock = make_server(app, host, port, access_log=access_log)
    bound_host, bound_port = sock.getsockname()[:2]
    print(f"geoincidents serve: listening on http://{_url_host(bound_host)}:{bound_port}", file=sys.stderr)
    sys.stderr.flush()
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again for the handler it found: make
    # that one a no-op, so that a graceful stop ends with exit code 0 rather than death by signal.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda *_: None) if main_thread else None
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # SIGINT, raised again by uvicorn once it has shut down
        pass
    finally:
        sock.close()
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    print("geoincidents serve: stopped", file=sys.stderr)


def make_server(
    app: Any, host: str = DEFAULT_HOST, port: int = 0, *, access_log: bool = False
) -> tuple[uvicorn.Server, socket.socket]:
    """A uvicorn server for ``app`` and the socket it will serve, already bound (so port 0 is known).

    Run it with ``server.run(sockets=[sock])`` (in a thread it installs no signal handlers; stop it with
    ``server.should_exit = True``).
    """
    try:
        import uvicorn
    except ImportError as exc:
        raise ValueError(f"{_INSTALL_HINT} ({exc})") from None
    if not is_loopback(host):
        print(
            f"geoincidents serve: warning: binding {host}, not loopback: other machines can reach the "
            "service (it has no authentication); use --host 127.0.0.1 to keep it on this machine",
            file=sys.stderr,
        )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=access_log,
        proxy_headers=False,  # the client address is the peer's; X-Forwarded-For is not trusted
        server_header=False,
        timeout_graceful_shutdown=10,
        lifespan="off",
    )
    return uvicorn.Server(config), sock


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.0/8``, ``::1``).

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
