"""ssc-lsp: an LSP server with an LLM pair programmer grounded in a symbolic map."""

__version__ = "0.1.0"
