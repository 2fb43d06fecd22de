"""Writes `server/ssc_lsp/grounding/rules/js_globals.txt`: the names JavaScript and TypeScript
code may use without a binding, as the environments' own declaration files declare them.

The completions' check (grounding/rules/typescript.py) calls a bare name missing only when it is
none of these. The list is read from the declarations, not typed by hand: TypeScript's `lib.*.d.ts`
(ECMAScript, DOM, web workers, scripthost), `@types/node` (`declare global` and its globals),
and the test runners' globals (`@types/jest`, `@types/mocha`, vitest's `globals.d.ts`). Fetch with
npm and run (pinned versions; rerun when bumping them):

    mkdir /tmp/g && cd /tmp/g && for p in typescript@5.6.3 @types/node@22.9.0 @types/jest@29.5.14 \\
        @types/mocha@10.0.9 vitest@2.1.4; do npm pack $p; done && for f in *.tgz; do \\
        mkdir -p ${f%.tgz} && tar xzf $f -C ${f%.tgz}; done
    python bench/make_js_globals.py /tmp/g
"""

from __future__ import annotations

import argparse
from pathlib import Path

import tree_sitter as ts
import tree_sitter_typescript

OUT = Path(__file__).resolve().parent.parent / "server/ssc_lsp/grounding/rules/js_globals.txt"
DECLARATIONS = ("variable_declaration", "lexical_declaration", "function_signature",
                "function_declaration", "class_declaration", "abstract_class_declaration",
                "interface_declaration", "type_alias_declaration", "enum_declaration",
                "module", "internal_module")


def _names(decl: ts.Node) -> list[str]:
    """The names a top-level declaration binds."""
    if decl.type in ("variable_declaration", "lexical_declaration"):
        return [d.child_by_field_name("name").text.decode() for d in decl.named_children
                if d.type == "variable_declarator" and d.child_by_field_name("name") is not None
                and d.child_by_field_name("name").type == "identifier"]
    name = decl.child_by_field_name("name")
    if name is not None and name.type in ("identifier", "type_identifier", "nested_identifier"):
        return [name.text.decode().split(".")[0]]
    return []


def _is_module(root: ts.Node) -> bool:
    return any(c.type in ("import_statement", "export_statement") for c in root.named_children)


def declared_globals(path: Path, parser: ts.Parser) -> set[str]:
    """A declaration file's global names: every top-level declaration of a script (no import or
    export), and what `declare global { }` blocks declare in a module."""
    root = parser.parse(path.read_bytes()).root_node
    out: set[str] = set()
    script = not _is_module(root)

    def walk(stmts: list[ts.Node], top: bool) -> None:
        after_global = False
        for s in stmts:
            if after_global and s.type == "statement_block":
                walk(s.named_children, True)  # `global { }` inside `declare module "m" { }`
                after_global = False
                continue
            after_global = s.type == "expression_statement" and s.text == b"global"
            inner = s
            if s.type == "export_statement":
                inner = s.child_by_field_name("declaration") or s
            if inner.type == "expression_statement" and inner.named_children and \
                    inner.named_children[0].type == "internal_module":
                inner = inner.named_children[0]  # `namespace NodeJS { }` in a block
            if inner.type == "ambient_declaration":
                kids = inner.named_children
                block = next((k for k in kids if k.type == "statement_block"), None)
                if block is not None:  # `declare global { }`
                    walk(block.named_children, True)
                    continue
                for k in kids:
                    if k.type == "module" and (k.child_by_field_name("name") or k).type == "string":
                        body = k.child_by_field_name("body")
                        if body is not None:  # `declare module "fs"`: only its `global { }`
                            walk(body.named_children, False)
                    elif top and k.type in DECLARATIONS:
                        out.update(_names(k))
            elif top and inner.type in DECLARATIONS:
                out.update(_names(inner))

    walk(root.named_children, script)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path, help="where the packages were unpacked")
    args = ap.parse_args()
    parser = ts.Parser(ts.Language(tree_sitter_typescript.language_typescript()))
    names: set[str] = set()
    files = sorted(args.folder.glob("typescript-*/package/lib/lib.*.d.ts"))
    files += sorted(args.folder.glob("types-node-*/node/**/*.d.ts"))
    files += sorted(args.folder.glob("types-jest-*/jest/index.d.ts"))
    files += sorted(args.folder.glob("types-mocha-*/mocha/index.d.ts"))
    files += sorted(args.folder.glob("vitest-*/package/globals.d.ts"))
    for f in files:
        names |= declared_globals(f, parser)
    names |= {"undefined", "NaN", "Infinity", "arguments", "globalThis"}  # no declaration: the language's
    header = ("# Names JavaScript/TypeScript code may use unbound: written by bench/make_js_globals.py from\n"
              f"# {', '.join(sorted({f.parts[len(args.folder.parts)] for f in files}))}\n")
    OUT.write_text(header + "\n".join(sorted(names)) + "\n")
    print(f"{len(names)} names from {len(files)} files -> {OUT}")


if __name__ == "__main__":
    main()
