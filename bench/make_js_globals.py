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

from ssc_lsp.grounding.rules.typescript import declared_globals

OUT = Path(__file__).resolve().parent.parent / "server/ssc_lsp/grounding/rules/js_globals.txt"


def declared_in(path: Path, parser: ts.Parser) -> set[str]:
    """A declaration file's global names (the check's own reading: rules/typescript.py)."""
    return declared_globals(parser.parse(path.read_bytes()).root_node)


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
        names |= declared_in(f, parser)
    names |= {"undefined", "NaN", "Infinity", "arguments", "globalThis"}  # no declaration: the language's
    header = ("# Names JavaScript/TypeScript code may use unbound: written by bench/make_js_globals.py from\n"
              f"# {', '.join(sorted({f.parts[len(args.folder.parts)] for f in files}))}\n")
    OUT.write_text(header + "\n".join(sorted(names)) + "\n")
    print(f"{len(names)} names from {len(files)} files -> {OUT}")


if __name__ == "__main__":
    main()
