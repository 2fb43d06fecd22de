"""`ssc-lsp serve [--tcp HOST:PORT]`: LSP on stdio (default) or TCP for debugging."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("serve", help="serve LSP on stdio (default) or --tcp HOST:PORT")
    p.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    p.set_defaults(run=lambda a: serve(a.tcp))


def serve(tcp: str | None) -> int:
    from ..server import create_server

    server = create_server()
    if tcp:
        host, _, port = tcp.rpartition(":")
        if not port.isdigit():
            raise argparse.ArgumentTypeError(f"--tcp wants HOST:PORT, got {tcp!r}")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        from ..stdio import serve_stdio

        serve_stdio(server)
    return 0
