"""The model's edit format: whole symbols, located by the map.

Why this format (bench/RESULTS.md, "issue 11: model edits", has the figures): a model asked for
line numbers miscounts them and a buffer that moved on makes them stale; search/replace blocks
fail on one differing space or a repeated snippet, and invite `# ... existing code ...`. Here the
model names a symbol and writes its whole new definition; the server finds the symbol in the map
(FileMap qualnames and ranges, on the text the editor holds now), re-indents the code to where the
symbol stands (a method written at column 0), and splices it in. An answer is blocks::

    ### replace shop.services.billing.charge in shop/services/billing.py
    ```python
    async def charge(order, *, currency="EUR"):
        ...whole new definition...
    ```
    ### add to shop/util.py              (new top-level code; a new file when it does not exist)
    ### add to Order in shop/models/order.py   (a new method at the end of a class)
    ### delete notify in shop/services/billing.py

What is refused, block by block, each with a reason the repair round shows the model: a file
outside the workspace, ignored or secret-looking; a symbol the file does not define (or defines
twice); a block whose code holds a lazy placeholder (`# ... existing code ...`: edit_check's
patterns) or is not a definition; blocks that overlap. An answer with no block at all is
`FormatError` (garbage). LSP-free; `interpret` is what features call.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..context.redact import redact
from ..grounding.edit_check import PLACEHOLDERS, refusal
from ..llm.redaction import REDACTED
from ..map.document import build_filemap
from ..map.filemap import FileMap, content_hash
from ..map.languages.python import PYTHON
from ..map.positions import LineIndex
from ..map.records import CLASS, FUNCTION, METHOD, Symbol
from ..map.service import MapService

REPLACE, ADD, DELETE = "replace", "add", "delete"
DEFINITIONS = (FUNCTION, METHOD, CLASS)  # what a block may name
_DEF_NODES = ("function_definition", "class_definition", "decorated_definition")
_IMPORT_NODES = ("import_statement", "import_from_statement", "future_import_statement")
INDENT = "    "

# `### replace a.b.c in pkg/mod.py`, `### add to pkg/mod.py`, `### add to C in pkg/mod.py`,
# `### delete a.b in pkg/mod.py`; backticks, bold markers and a trailing colon tolerated
_HEADER = re.compile(
    r"^\s*#{2,4}\s*\**\s*(?P<op>replace|delete|add(?:\s+to)?|create)\b\s*"
    r"(?:`?(?P<symbol>[A-Za-z_][\w.]*)(?:\(\))?`?\s+in\s+)?`?(?P<path>[^\s`*:]+)`?\s*\**\s*:?\s*$",
    re.I | re.M)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")

Read = Callable[[str], "bytes | None"]

FORMAT = """\
Answer ONLY with edit blocks, no other prose. Each block is a header line, then one fenced code
block:

### replace <qualified.name> in <path>
```python
<the WHOLE new definition of that function, method or class, decorators included>
```

### add to <path>
```python
<new top-level code (imports first); a new file when <path> does not exist>
```

### add to <Class> in <path>
```python
<new methods for the end of that class>
```

### delete <qualified.name> in <path>

Rules: <qualified.name> is the name inside its module (`Order.total`, `charge`); <path> is
relative to the workspace root, as shown. Write every line of the new definition: never
`...`, `pass` or a comment such as `# ... existing code ...` in place of code you keep. Only use
functions, classes and modules that exist (shown here) or that you add in the same answer.
Change every caller shown that your change breaks, with its own replace block.
"""


class FormatError(ValueError):
    """The answer holds no edit block at all (garbage, prose, an empty answer)."""


@dataclass(frozen=True)
class Block:
    op: str  # REPLACE, ADD or DELETE
    path: str  # as the model wrote it
    symbol: str | None  # the qualified name (REPLACE, DELETE; ADD into a class)
    code: str  # the fenced code ("" for DELETE)
    line: int  # 1-based line of the header in the answer

    def describe(self) -> str:
        what = f"{self.op} {self.symbol} in {self.path}" if self.symbol else f"{self.op} to {self.path}"
        return f"`### {what}`"


_ADDED = Block(ADD, "", None, "", 0)  # the owner of the splices made of added code


@dataclass
class Applied:
    """What an answer does: the new text of each file, and the blocks refused (with why)."""

    after: dict[str, bytes | None] = field(default_factory=dict)
    used: list[Block] = field(default_factory=list)
    rejected: list[tuple[Block, str]] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [f"{b.describe()} was refused: {why}" for b, why in self.rejected]


# -- parsing ----------------------------------------------------------------------------------------


def parse(answer: str) -> list[Block]:
    """The blocks of an answer, in order. Code is the first fenced block after a header (or,
    unfenced, the lines up to the next header); an unclosed fence runs to the next header."""
    lines = answer.replace("\r\n", "\n").split("\n")
    heads = [(i, m) for i, ln in enumerate(lines) if (m := _HEADER.match(ln))]
    out = []
    for k, (i, m) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        op = m.group("op").lower().split()[0]
        op = ADD if op in ("add", "create") else op
        code = "" if op == DELETE else _code(lines[i + 1:end])
        out.append(Block(op, m.group("path").strip(), m.group("symbol"), code, i + 1))
    return out


def _code(body: list[str]) -> str:
    start = next((j for j, ln in enumerate(body) if _FENCE.match(ln)), None)
    if start is None:  # unfenced: the lines themselves
        text = "\n".join(body).strip("\n")
        return text + "\n" if text.strip() else ""
    fence = _FENCE.match(body[start]).group(1)  # type: ignore[union-attr]
    stop = next((j for j in range(start + 1, len(body)) if body[j].strip() == fence or
                 (body[j].strip().startswith(fence[0] * 3) and not body[j].strip().strip(fence[0]))),
                len(body))
    inner = body[start + 1:stop]
    if stop == len(body):  # no closing fence line: one glued to the code's last line ends it
        glued = next((j for j, ln in enumerate(inner) if ln.rstrip().endswith(fence)), None)
        if glued is not None:
            inner = inner[:glued] + [inner[glued].rstrip()[:-len(fence)]]
    text = "\n".join(inner).strip("\n")
    return text + "\n" if text.strip() else ""


# -- applying ---------------------------------------------------------------------------------------


@dataclass
class _File:
    rel: str
    data: bytes | None  # None: a new file
    fm: FileMap | None
    splices: list[tuple[int, int, bytes, Block]] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)  # added at the file's imports
    tail: list[str] = field(default_factory=list)  # added top-level code, in order


class _Editor:
    def __init__(self, svc: MapService, read: Read):
        self.svc = svc
        self.read = read
        self.files: dict[str, _File] = {}
        self.parser = PYTHON.parser()

    def file(self, rel: str) -> _File:
        f = self.files.get(rel)
        if f is None:
            data = self.read(rel)
            fm = None
            if data is not None:
                held = self.svc.ensure(rel)
                fm = held if held is not None and held.hash == content_hash(data) else \
                    build_filemap(PYTHON, rel, self.svc.ws.module_name(rel), data, self.parser.parse(data))
            f = self.files[rel] = _File(rel, data, fm)
        return f


def workspace_path(svc: MapService, path: str) -> tuple[str | None, str | None]:
    """(root-relative path, None) or (None, why an edit may not go there)."""
    p = path.strip().removeprefix("./")
    full = os.path.normpath(p if os.path.isabs(p) else os.path.join(svc.root, p))
    why = refusal(svc, full)
    if why is not None:
        return None, why
    rel = svc.relpath(full)
    if not rel or not rel.endswith((".py", ".pyi")):
        return None, f"`{path}` is not a Python file of the workspace"
    return rel.replace(os.sep, "/"), None


def apply(svc: MapService, blocks: list[Block], read: Read) -> Applied:
    """The blocks applied to the files as `read` gives them (the editor's buffers, else the disk)."""
    ed = _Editor(svc, read)
    out = Applied()
    for block in blocks:
        why = _place(ed, block)
        if why is None:
            out.used.append(block)
        else:
            out.rejected.append((block, why))
    for rel, f in ed.files.items():
        _append(ed, f)
        if not f.splices:
            continue
        text = f.data or b""
        order = sorted(enumerate(f.splices), key=lambda e: (e[1][0], e[1][1], e[0]), reverse=True)
        for _seq, (start, end, new, _b) in order:
            text = text[:start] + new + text[end:]
        out.after[rel] = text
    return out


def _append(ed: _Editor, f: _File) -> None:
    """The added top-level code as splices: imports after the file's own, the rest at its end."""
    data = f.data or b""
    if f.imports:
        at = _after_imports(ed, data) if data else 0
        f.splices.append((at, at, ("\n".join(f.imports) + "\n").encode("utf-8"), _ADDED))
    if f.tail:  # two blank lines before it; applied first, so a class's own additions come before
        ends = len(data) - len(data.rstrip(b"\n"))
        sep = b"\n" * (3 - min(ends, 3)) if data.strip() else b"\n\n" if f.imports else b""
        body = "\n\n\n".join(f.tail).encode("utf-8")
        f.splices.append((len(data), len(data), sep + body + b"\n", _ADDED))


def interpret(svc: MapService, answer: str, read: Read) -> Applied:
    """`parse` then `apply`; FormatError when the answer has no block at all."""
    blocks = parse(answer)
    if not blocks:
        head = " ".join(answer.split())[:80]
        raise FormatError("the model's answer holds no edit block"
                          + (f" (it began: {head!r})" if head else " (it was empty)"))
    return apply(svc, blocks, read)


def _place(ed: _Editor, block: Block) -> str | None:
    """Add the block's splice to its file; or say why it is refused."""
    rel, why = workspace_path(ed.svc, block.path)
    if rel is None:
        return why
    f = ed.file(rel)
    if f.data is None and not (block.op == ADD and block.symbol is None):
        f = ed.file(_by_suffix(ed.svc, rel) or rel)  # `billing.py` for `shop/services/billing.py`
    code, why = _unredacted(block.code, f)
    if code is None:
        return why
    block = replace(block, code=code)
    lazy = _lazy(block.code, f)
    if lazy:
        return f"it holds a lazy placeholder ({lazy!r}) instead of the code; write the whole definition"
    if block.op == ADD and block.symbol is None:
        return _add_top(ed, f, block)
    if f.data is None or f.fm is None:
        return f"`{rel}` does not exist"
    sym, why = _symbol(f, block.symbol or "")
    if sym is None:
        return why
    if block.op == ADD:
        return _add_to_class(f, sym, block)
    start, end = _lines_of(f, sym)
    if block.op == DELETE:
        end = _blank_after(f.data, end)
        if end == len(f.data):  # the last definition: the blank lines before it go too
            kept = f.data[:start].rstrip(b" \t\n")
            start = min(start, len(kept) + 1) if kept else 0
        return _splice(f, start, end, b"", block)
    code, why = _definition(ed, block.code)
    if code is None:
        return why
    indent = f.data[start:start + sym.range[1]].decode("utf-8", "replace")
    indent = indent if not indent.strip() else ""
    return _splice(f, start, end, _indented(code, indent), block)


def _by_suffix(svc: MapService, rel: str) -> str | None:
    """The one mapped file whose path ends with `rel` (a model that dropped the folders), or None."""
    tail = "/" + rel
    found = [p for p in list(svc.ws.files) if p.endswith(tail)]
    return found[0] if len(found) == 1 else None


def _symbol(f: _File, name: str) -> tuple[Symbol | None, str | None]:
    assert f.fm is not None
    q = name.strip().removesuffix("()")
    for prefix in (f.fm.module + ".", f.fm.module.rpartition(".")[2] + "."):
        if q.startswith(prefix) and q not in f.fm.by_qualname:
            q = q[len(prefix):]
    found = [s for s in f.fm.by_qualname.get(q, []) if s.kind in DEFINITIONS]
    if not found:
        close = [s.qualname for s in f.fm.symbols if s.kind in DEFINITIONS and s.name == q.rpartition(".")[2]]
        hint = f" (it defines {', '.join(close)})" if close else ""
        return None, f"`{f.rel}` defines no function or class `{q}`{hint}"
    if len(found) > 1:
        return None, f"`{q}` is defined {len(found)} times in `{f.rel}`; cannot tell which to change"
    return found[0], None


def _lines_of(f: _File, sym: Symbol) -> tuple[int, int]:
    """Bytes of the whole lines a definition spans (decorators included, its newline too)."""
    assert f.data is not None
    index = LineIndex(f.data)
    r = sym.range
    start = index.byte_of_point(r[0], 0)
    end = index.byte_of_point(r[2], r[3])
    nl = f.data.find(b"\n", end)
    return start, (len(f.data) if nl < 0 else nl + 1)


def _blank_after(data: bytes, end: int) -> int:
    """Past the blank lines after `end` (a deleted definition takes its spacing with it)."""
    while end < len(data):
        nl = data.find(b"\n", end)
        line = data[end:len(data) if nl < 0 else nl]
        if line.strip():
            break
        end = len(data) if nl < 0 else nl + 1
    return end


def _definition(ed: _Editor, code: str) -> tuple[str | None, str | None]:
    """The block's code dedented, if it parses and starts with a definition."""
    text = textwrap.dedent(code.expandtabs(4) if "\t" in code and " " in code else code).strip("\n")
    if not text.strip():
        return None, "its code block is empty (use `### delete` to remove a definition)"
    tree = ed.parser.parse((text + "\n").encode("utf-8"))
    kids = [c for c in tree.root_node.named_children if c.type != "comment"]
    if not kids or kids[0].type not in _DEF_NODES:
        return None, "its code is not a whole `def` or `class` definition"
    if tree.root_node.has_error:
        return None, "its code does not parse"
    return text + "\n", None


def _indented(code: str, indent: str) -> bytes:
    return textwrap.indent(code, indent).encode("utf-8") if indent else code.encode("utf-8")


def _splice(f: _File, start: int, end: int, new: bytes, block: Block) -> str | None:
    for s, e, _n, other in f.splices:
        if start < e and s < end:
            return f"it overlaps {other.describe()}"
    f.splices.append((start, end, new, block))
    return None


def _add_top(ed: _Editor, f: _File, block: Block) -> str | None:
    code = textwrap.dedent(block.code).strip("\n")
    if not code.strip():
        return "its code block is empty"
    imports, rest = _split_imports(ed, code)
    if imports:
        f.imports.append(imports)
    if rest:
        f.tail.append(rest)
    return None


def _split_imports(ed: _Editor, code: str) -> tuple[str, str]:
    """Leading import statements of added code (they go with the file's imports), and the rest."""
    tree = ed.parser.parse(code.encode("utf-8"))
    kids = tree.root_node.children
    n = 0
    while n < len(kids) and kids[n].type in _IMPORT_NODES:
        n += 1
    if n == 0:
        return "", code
    cut = kids[n - 1].end_byte
    raw = code.encode("utf-8")
    return raw[:cut].decode("utf-8").strip("\n"), raw[cut:].decode("utf-8").strip("\n")


def _after_imports(ed: _Editor, data: bytes) -> int:
    """Where a new import goes: after the file's last import before its first other statement
    (past a module docstring), else at the top."""
    tree = ed.parser.parse(data)
    at = 0
    for c in tree.root_node.children:
        if c.type in _IMPORT_NODES:
            at = c.end_byte
        elif c.type == "comment" or (c.type == "expression_statement" and at == 0 and
                                     c.named_children and c.named_children[0].type == "string"):
            if at == 0:
                at = c.end_byte
        else:
            break
    if at == 0:
        return 0
    nl = data.find(b"\n", at)
    return len(data) if nl < 0 else nl + 1


def _add_to_class(f: _File, cls: Symbol, block: Block) -> str | None:
    assert f.data is not None
    if cls.kind != CLASS:
        return f"`{cls.qualname}` is not a class (`### add to <Class> in <path>` adds methods)"
    code = textwrap.dedent(block.code).strip("\n")
    if not code.strip():
        return "its code block is empty"
    _start, end = _lines_of(f, cls)
    head = f.data[_start:_start + cls.range[1]].decode("utf-8", "replace")
    indent = (head if not head.strip() else "") + INDENT
    lead = b"\n" if f.data[end - 1:end] == b"\n" else b"\n\n"
    return _splice(f, end, end, lead + _indented(code + "\n", indent), block)


def _lazy(code: str, f: _File) -> str | None:
    """A placeholder line in the block that the file did not already hold (a real comment that
    was there before is kept code, not laziness)."""
    if not code:
        return None
    had = set(f.data.decode("utf-8", "replace").split("\n")) if f.data else set()
    had = {ln.strip() for ln in had}
    for ln in code.split("\n"):
        s = ln.strip()
        if "#" in s and s not in had and any(p.search(s) for p in PLACEHOLDERS.values()):
            return s
    return None


def _unredacted(code: str, f: _File) -> tuple[str | None, str | None]:
    """The block with the secrets the prompt hid put back: a line the model kept holds
    `[redacted]` where the file has the secret; it is taken from the file (re-indented as the
    model wrote it). A redacted line the file does not hold is refused: writing the marker over a
    secret would lose it."""
    if REDACTED not in code:
        return code, None
    text = f.data.decode("utf-8", "replace") if f.data else ""
    originals = {}
    for ln in text.split("\n"):
        hidden = redact(ln)
        if hidden != ln:
            originals.setdefault(hidden.strip(), ln.strip())
    out = []
    for ln in code.split("\n"):
        if REDACTED in ln:
            real = originals.get(ln.strip())
            if real is None:
                return None, "it holds a `[redacted]` secret the file does not have in that line"
            ln = ln[:len(ln) - len(ln.lstrip())] + real
        out.append(ln)
    return "\n".join(out), None
