"""Generate or update the docstring of a function or class, in the workspace's docstring style.

The style is found from the workspace's own docstrings by simple rules (`STYLE_RULES`, the one
place they are written): Google sections (`Args:`), NumPy sections underlined with dashes, reST
fields (`:param x:`), or plain prose when no rule is met often enough. The model answers the
docstring's text only; the server puts it in place (replacing the old one, or as the first
statement of the body) with the body's indentation and quotes that cannot break the code.
"""

from __future__ import annotations

import builtins
import re
from collections import Counter
from dataclasses import dataclass

from ..grounding.edit_check import EditProblem
from ..map.service import MapService
from .model import refused
from .target import ActionError, Def

# The style rules: a workspace's style is the one whose rule matches in the most files, when it
# matches in at least STYLE_MIN_FILES of them; else "plain".
STYLE_RULES: dict[str, re.Pattern[str]] = {
    "numpy": re.compile(r"^[ \t]*(?:Parameters|Returns|Yields|Raises|Attributes|Examples)[ \t]*\n"
                        r"[ \t]*-{3,}[ \t]*$", re.M),
    "google": re.compile(r"^[ \t]*(?:Args|Arguments|Returns|Yields|Raises|Attributes):[ \t]*\n"
                         r"[ \t]+\S", re.M),
    "rest": re.compile(r"^[ \t]*:(?:param|type|returns?|rtype|raises?)\b[^:\n]*:", re.M),
}
STYLE_MIN_FILES = 2
STYLE_MAX_FILES = 300  # files read to decide (the open ones first); each is a regex scan
EXAMPLE_MAX_CHARS = 1200
DOCSTRING_MAX_CHARS = 6000  # a longer answer is not a docstring
DOC_NAME_PROBLEM = "docstring name"
# words a docstring may show as code that no code defines
BUILTIN_WORDS = frozenset({"None", "True", "False", "self", "cls", "Args", "Returns", "Raises"})

STYLE_WORDS = {
    "google": "Google style: a summary line, a blank line, then `Args:`, `Returns:`, `Raises:` "
              "sections with `name: description` entries indented under them",
    "numpy": "NumPy style: a summary line, a blank line, then `Parameters`, `Returns`, `Raises` "
             "sections each underlined with dashes, entries as `name : type` then an indented description",
    "rest": "reStructuredText style: a summary line, a blank line, then `:param name:`, "
            "`:returns:`, `:raises Error:` fields",
    "plain": "plain prose: a one-line summary, then (if needed) a short paragraph; no sections",
}


@dataclass
class Style:
    name: str  # a key of STYLE_WORDS
    files: int  # how many files showed it
    example: str | None  # one docstring of the workspace in that style, as written


def detect_style(svc: MapService) -> Style:
    """The workspace's docstring style (see the module doc), with an example of it."""
    counts: Counter[str] = Counter()
    first: dict[str, tuple[str, str, int]] = {}
    rels = list(svc.docs) + [r for r in sorted(svc.ws.files) if r not in svc.docs]
    for rel in rels[:STYLE_MAX_FILES]:
        if not rel.endswith(".py"):
            continue
        text = svc.text_of(rel)
        if not text:
            continue
        for name, rule in STYLE_RULES.items():
            m = rule.search(text)
            if m is not None:
                counts[name] += 1
                first.setdefault(name, (rel, text, m.start()))
    if not counts:
        return Style("plain", 0, None)
    name, n = counts.most_common(1)[0]
    if n < STYLE_MIN_FILES:
        return Style("plain", 0, None)
    rel, text, at = first[name]
    example = None if refused(svc, rel) else _docstring_around(text, at)
    return Style(name, n, example)


def _docstring_around(text: str, at: int) -> str | None:
    """The triple-quoted string holding offset `at`, as written."""
    for m in re.finditer(r'("""|\'\'\')(.*?)\1', text, re.S):
        if m.start() <= at < m.end():
            return m.group(0)[:EXAMPLE_MAX_CHARS]
    return None


def task(d: Def, style: Style, code: str, facts: str) -> str:
    """The instruction for the model."""
    what = "class" if d.node.type == "class_definition" else "function"
    lines = [f"Write the docstring of the {what} `{d.sym.qualname}` below "
             f"(file {d.rel}), in the workspace's docstring style: {STYLE_WORDS[style.name]}."]
    if style.example:
        lines += ["", "A docstring of this workspace in that style:", style.example]
    lines += ["", "The code:", "```python", code.rstrip(), "```"]
    if facts:
        lines += ["", "Facts from the workspace map:", facts]
    lines += ["", "Describe what the code does, its parameters and what it returns or raises; "
              "mention only names that appear in the code or the facts.",
              "Answer with the docstring's text only: no quotes around it, no code, no indentation."]
    return "\n".join(lines)


def docstring_text(answer: str) -> str:
    """The docstring in the model's answer: fences and quotes a model adds taken off, common
    indentation removed. Raises ActionError for an answer that cannot be one."""
    text = answer.strip()
    fence = re.match(r"^```[^\n]*\n(.*?)\n?```$", text, re.S)
    if fence:
        text = fence.group(1).strip()
    quoted = re.match(r'^[rRuU]?("""|\'\'\')(.*)\1$', text, re.S)
    if quoted:
        text = quoted.group(2).strip()
    lines = [ln.rstrip() for ln in text.split("\n")]
    rest = [ln for ln in lines[1:] if ln.strip()]
    cut = min((len(ln) - len(ln.lstrip()) for ln in rest), default=0)
    lines = [lines[0].strip()] + [ln[cut:] for ln in lines[1:]]
    text = "\n".join(lines).strip()
    if not text:
        raise ActionError("the model answered no docstring")
    if len(text) > DOCSTRING_MAX_CHARS:
        raise ActionError(f"the model's answer is not a docstring (over {DOCSTRING_MAX_CHARS} characters)")
    if '"""' in text and "'''" in text:
        raise ActionError("the model's docstring holds both kinds of triple quotes")
    if re.match(r"^(?:async\s+def|def|class|import|from)\s+\w", text):
        raise ActionError("the model answered code, not a docstring")
    return text


def placed(d: Def, text: str) -> bytes:
    """The file's new text with `text` as the docstring of `d` (the old one replaced)."""
    body = d.node.child_by_field_name("body")
    if body is None or not body.named_children:
        raise ActionError(f"{d.sym.name} has no body to put a docstring in")
    first = body.named_children[0]
    if first.start_point[0] == d.node.start_point[0]:
        raise ActionError(f"{d.sym.name} has its body on the line of its header")
    indent = d.indent_of(first)
    quote = "'''" if '"""' in text or text.endswith('"') else '"""'
    prefix = "r" if "\\" in text else ""
    pad = indent.decode()
    lines = text.split("\n")
    shown = lines[0] if len(lines) == 1 else "\n".join(
        [lines[0]] + [f"{pad}{ln}" if ln else "" for ln in lines[1:]] + [pad])
    new = f"{pad}{prefix}{quote}{shown}{quote}\n".encode()
    old = _docstring_stmt(body)
    if old is not None:
        start = d.line_start(old.start_byte)
        end = d.data.find(b"\n", old.end_byte)
        end = len(d.data) if end < 0 else end + 1
        return d.data[:start] + new + d.data[end:]
    colon = next((c for c in d.node.children if c.type == ":"), None)
    start = d.line_start(first.start_byte)
    if colon is not None:  # right under the header, above the comments that open the body
        start = min(start, d.data.find(b"\n", colon.end_byte) + 1)
    return d.data[:start] + new + d.data[start:]


def _docstring_stmt(body):
    first = next((c for c in body.named_children if c.type != "comment"), None)
    if first is not None and first.type == "expression_statement" and first.named_child_count \
            and first.named_children[0].type == "string":
        return first
    return None


def has_docstring(d: Def) -> bool:
    body = d.node.child_by_field_name("body")
    return body is not None and _docstring_stmt(body) is not None


def unknown_names(d: Def, text: str, after: bytes) -> list[EditProblem]:
    """Names a docstring shows as code (in backticks, or called) that are nowhere: not in the
    definition's code, not a name of the workspace, not a builtin. Each is a problem on the line
    of the new docstring where it appears."""
    known = set(re.findall(r"[A-Za-z_]\w*", d.source)) | BUILTIN_WORDS
    shown = set(re.findall(r"`+([A-Za-z_][\w.]*)(?:\(\))?`+", text)) | set(re.findall(r"\b([A-Za-z_]\w*)\(", text))
    lines = after.decode("utf-8", errors="replace").split("\n")
    head = text.split("\n", 1)[0]
    top = next((i for i in range(d.node.start_point[0], len(lines)) if head in lines[i]), d.node.start_point[0])
    out: list[EditProblem] = []
    for name in sorted(shown):
        if all(p in known or hasattr(builtins, p) or next(d.svc.ws.symbols_named(p), None) is not None
               for p in name.split(".")):
            continue
        row = top + next((i for i, ln in enumerate(text.split("\n")) if name in ln), 0)
        out.append(EditProblem(d.rel, (row, 0, row, 0), DOC_NAME_PROBLEM,
                               f"the docstring names `{name}`, which neither the code nor the workspace has",
                               name))
    return out
