"""The `ssc-lsp` command: serve LSP (the default), or inspect the map from a terminal.

Each subcommand lives in `commands/` and adds itself through `add_parser(subparsers)`; this
module only parses and dispatches.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from . import __version__

COMMANDS = ("serve", "map", "check", "context", "eval", "complete", "doctor", "feedback")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ssc-lsp", description=(
        "A language server with an LLM pair programmer grounded in a symbolic map of the "
        "workspace. With no command, serves LSP on stdio."))
    parser.add_argument("--version", action="version", version=f"ssc-lsp {__version__}")
    parser.add_argument("--log-level", default=None,
                        help="logging level on stderr (default: INFO when serving, else WARNING)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="commands: log what they do (INFO) besides their own output")
    parser.add_argument("--stdio", action="store_true",
                        help="serve LSP on stdio (the default; accepted because clients add it)")
    sub = parser.add_subparsers(dest="command")
    for name in COMMANDS:
        importlib.import_module(f".commands.{name}_cmd", __package__).add_parser(sub)
    return parser


def configure_logging(args: argparse.Namespace) -> None:
    """The server logs INFO with timestamps (the editor's log panel is its only voice); a command
    run by a person prints its own output and, unless --verbose, only warnings besides it."""
    serving = args.command in (None, "serve")
    default = "INFO" if serving or args.verbose else "WARNING"
    level = getattr(logging, str(args.log_level or default).upper(), logging.INFO)
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s" if serving else \
        "ssc-lsp: %(levelname)s: %(message)s"
    logging.basicConfig(level=level, stream=sys.stderr, format=fmt)
    logging.getLogger("pygls").setLevel(logging.WARNING)  # it logs every message at INFO


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args)
    if args.command is None:
        from .commands.serve_cmd import serve

        return serve(None)
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
