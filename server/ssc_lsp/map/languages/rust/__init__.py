"""Rust: `.rs` sources, tree-sitter-rust; no semantic backend (no rust-analyzer in the server).

A file is a module named by its path (`src/net/mod.rs` and `src/net.rs` are both `src.net`,
`src/lib.rs` is `src.lib`): the resolver (resolve.py) maps Rust paths (`crate::net::Conn`,
`super::x`, the package's name) to those files through Cargo.toml's crate roots and `mod`
items. Extraction is extract.py with map.scm; the continuity checks (argument counts of
functions called by path: Rust has no defaults) are checks.py.
"""

from __future__ import annotations

import tree_sitter_rust

from ..base import CallSyntax, Language
from .extract import fill_unit, unit_specs

# the prelude's names and the primitive types: always in scope, never the workspace's
BUILTINS = frozenset("""
bool char str i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64
Option Some None Result Ok Err Vec String Box ToString ToOwned Clone Copy Send Sync Sized Unpin
Drop Fn FnMut FnOnce Iterator IntoIterator DoubleEndedIterator ExactSizeIterator Extend Default
Eq PartialEq Ord PartialOrd AsRef AsMut Into From TryFrom TryInto FromIterator Debug drop std core
alloc proc_macro size_of size_of_val align_of align_of_val Future IntoFuture
""".split())


def module_name(relpath: str, package_dirs: set[str]) -> str:
    """`src/a/b.rs` and `src/a/b/mod.rs` -> `src.a.b` (the module's file path, dotted)."""
    stem = relpath[:-3] if relpath.endswith(".rs") else relpath
    if stem.endswith("/mod"):
        stem = stem[:-4]
    return stem.replace("/", ".")


def is_package(relpath: str) -> bool:
    """`mod.rs`: its folder holds its submodules (as a crate root's does)."""
    return relpath.rpartition("/")[2] == "mod.rs"


RUST = Language(
    name="rust",
    suffixes=(".rs",),
    grammar=tree_sitter_rust.language,
    package=__name__,
    queries={"map": "map.scm"},
    fingerprint=("extract.py",),
    unit_specs=unit_specs,
    fill_unit=fill_unit,
    module_name=module_name,
    is_package=is_package,
    builtins=BUILTINS,
    resolver="ssc_lsp.map.languages.rust.resolve:RustResolver",
    check="ssc_lsp.map.languages.rust.checks:rust_steps",
    blocks=None,
    semantic=None,
    fence="rust",
    line_comment="//",
    code_line="ssc_lsp.map.languages.rust.hover:code_line",
    calls=CallSyntax("ssc_lsp.map.languages.rust.hover:call_label", lifetimes=True),
    fresh_parse_on_error=True,  # tree-sitter-rust's incremental error recovery differs
)
