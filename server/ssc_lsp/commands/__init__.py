"""CLI subcommands; each module has `add_parser(subparsers)` setting `run(args) -> int`."""
