"""Turn a :class:`CompletionRequest` into what a provider actually sends.

Three shapes, one per way of asking:

* chat messages (instruction-tuned models behind /v1/chat/completions),
* a FIM prompt (code models behind /v1/completions),
* a short plain prompt (the local base model, which has neither a chat
  template nor FIM tokens, and reads prompts slowly on a CPU).
"""

from __future__ import annotations

from .request import CompletionRequest
from .templates import FimTemplate, fill, load_prompt

# Line-comment syntax per language id, for putting workspace facts into a
# prompt that is pure code (FIM and plain completion).
_LINE_COMMENT = {
    "python": "#",
    "ruby": "#",
    "shellscript": "#",
    "sh": "#",
    "bash": "#",
    "perl": "#",
    "r": "#",
    "yaml": "#",
    "toml": "#",
    "lua": "--",
    "sql": "--",
    "haskell": "--",
}


def comment_prefix(language: str) -> str:
    """The line-comment marker for ``language`` (``//`` when unknown)."""
    return _LINE_COMMENT.get(language.lower(), "//")


def as_comment_block(text: str, language: str) -> str:
    """Prefix every line of ``text`` with a line comment; '' for empty text."""
    text = text.strip("\n")
    if not text.strip():
        return ""
    marker = comment_prefix(language)
    return "".join(f"{marker} {line}".rstrip() + "\n" for line in text.splitlines())


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(names) if names else "(none known)"


def _context_section(request: CompletionRequest) -> str:
    if not request.context.strip():
        return ""
    return fill(load_prompt("context_section"), context=request.context.strip("\n"))


def build_chat_messages(request: CompletionRequest) -> list[dict[str, str]]:
    """System + user messages for inline completion, repair, or a task."""
    if request.kind == "task":
        return [
            {"role": "system", "content": request.system or load_prompt("task_system")},
            {"role": "user", "content": request.task},
        ]
    common = {
        "path": request.path or "untitled",
        "language": request.language,
        "context_section": _context_section(request),
        "prefix": request.prefix,
        "suffix": request.suffix,
    }
    if request.kind == "repair":
        user = fill(
            load_prompt("repair_user"),
            previous=request.previous,
            missing=_names(request.missing),
            available=_names(request.available),
            **common,
        )
    else:
        user = fill(load_prompt("inline_user"), **common)
    return [
        {"role": "system", "content": load_prompt("inline_system")},
        {"role": "user", "content": user},
    ]


def _fact_comments(request: CompletionRequest) -> str:
    """Workspace facts (and, for repair, the missing-name note) as code comments."""
    parts = [request.context] if request.context.strip() else []
    if request.kind == "repair":
        parts.append(
            fill(
                load_prompt("fim_repair_note"),
                missing=_names(request.missing),
                available=_names(request.available),
            )
        )
    return as_comment_block("\n".join(parts), request.language)


def build_task_prompt(request: CompletionRequest) -> str:
    """A task as one plain prompt, for endpoints and models without chat: the instruction,
    then the task, then an empty line where the answer starts."""
    system = request.system or load_prompt("task_system")
    return f"{system.strip()}\n\n{request.task.rstrip()}\n\n"


def build_fim_prompt(request: CompletionRequest, fim: FimTemplate) -> str:
    """A FIM prompt: the facts go at the top of the prefix as comments (a task: plain)."""
    if request.kind == "task":
        return build_task_prompt(request)
    return fim.render(_fact_comments(request) + request.prefix, request.suffix)


def _tail(text: str, max_chars: int) -> str:
    """The last ``max_chars`` of ``text``, cut at a line start when one is near."""
    if len(text) <= max_chars:
        return text
    tail = text[-max_chars:]
    newline = tail.find("\n")
    if 0 <= newline < max_chars // 2:
        tail = tail[newline + 1 :]
    return tail


def _head(text: str, max_chars: int) -> str:
    """The first ``max_chars`` of ``text``, cut at a line end when one is near."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    newline = head.rfind("\n")
    if newline >= max_chars // 2:
        head = head[: newline + 1]
    return head


def build_local_prompt(
    request: CompletionRequest, *, max_prefix_chars: int = 480, max_context_chars: int = 160
) -> str:
    """A short plain-completion prompt for a base model: a few facts, then the prefix tail.

    Why short: the embedded model reads on the order of 40 prompt tokens a
    second on a laptop CPU, so every 100 characters of prompt costs ~0.6 s
    before the first token.  The suffix is dropped: a base model without FIM
    tokens cannot use it.
    """
    facts = _head(_fact_comments(request), max_context_chars)
    if facts and not facts.endswith("\n"):
        facts += "\n"
    return fill(
        load_prompt("local_completion"),
        context=facts,
        prefix=_tail(request.prefix, max_prefix_chars),
    )


def merged_stop(*groups: tuple[str, ...] | list[str]) -> list[str]:
    """Stop sequences from several sources, de-duplicated, order kept, empties dropped."""
    seen: dict[str, None] = {}
    for group in groups:
        for item in group:
            if item:
                seen.setdefault(item, None)
    return list(seen)
