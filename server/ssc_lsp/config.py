"""Server configuration: nested typed dataclasses, one cattrs converter, camelCase keys.

The same structure arrives as `initializationOptions` and as the `ssc` section of
`workspace/configuration`. A bad option costs a message and its default, never the server.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .llm.settings import LLMSettings


@dataclass
class MapConfig:
    exclude: list[str] = field(default_factory=list)  # gitignore-style globs never mapped
    max_file_size_bytes: int = 1_000_000
    persist: bool = True  # keep the map in SQLite under the user cache dir
    cache_dir: str = ""  # where the SQLite file goes ("" = the user cache dir)


@dataclass
class CompletionConfig:
    inline: bool = True
    list: bool = True
    debounce_ms: int = 150


@dataclass
class ContextConfig:
    budget_chars: int = 6000


@dataclass
class DiagnosticsConfig:
    enabled: bool = True
    debounce_ms: int = 300


@dataclass
class FeedbackConfig:
    enabled: bool = False  # opt-in: shown/accepted events in a local JSONL file


@dataclass
class Config:
    llm: LLMSettings = field(default_factory=LLMSettings)
    map: MapConfig = field(default_factory=MapConfig)
    completion: CompletionConfig = field(default_factory=CompletionConfig)
    context: ContextConfig = field(default_factory=ContextConfig)
    diagnostics: DiagnosticsConfig = field(default_factory=DiagnosticsConfig)
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(object, lambda v, _t: v)  # free-form JSON (extraBody)
    for cls in (LLMSettings, MapConfig, CompletionConfig, ContextConfig, DiagnosticsConfig,
                FeedbackConfig, Config):  # leaves first: Config's hook looks theirs up
        names = {f.name: override(rename=_camel(f.name)) for f in dataclasses.fields(cls)}
        conv.register_structure_hook(cls, make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True, **names))
        conv.register_unstructure_hook(cls, make_dict_unstructure_fn(cls, conv, **names))
    return conv


converter = _make_converter()


def parse_config(raw: Any) -> tuple[Config, list[str]]:
    """Structure user options; on errors keep every valid part and say what was dropped."""
    if raw is None:
        return Config(), []
    if not isinstance(raw, dict):
        return Config(), [f"ssc settings must be an object, got {type(raw).__name__}"]
    errors: list[str] = []
    base = converter.unstructure(Config())
    merged = _merge(base, raw, "", errors)
    try:
        return converter.structure(merged, Config), errors
    except Exception as e:  # the last resort: all defaults, and say why
        return Config(), errors + [f"invalid ssc settings ({_brief(e)}): using defaults"]


def _merge(base: dict, raw: dict, path: str, errors: list[str]) -> dict:
    """Overlay `raw` onto the defaults key by key, checking each value against its default."""
    out = dict(base)
    for key, value in raw.items():
        where = f"{path}{key}"
        if key not in base:
            errors.append(f"unknown setting ssc.{where}: ignored")
            continue
        default = base[key]
        if isinstance(default, dict) and not _free_dict(path + key):
            if isinstance(value, dict):
                out[key] = _merge(default, value, where + ".", errors)
            else:
                errors.append(f"ssc.{where} must be an object: using defaults")
            continue
        if not _same_type(default, value):
            errors.append(f"ssc.{where} must be {type(default).__name__}, got {value!r}: using {default!r}")
            continue
        out[key] = value
    return out


def _free_dict(path: str) -> bool:
    return path in ("llm.extraHeaders", "llm.extraBody")


def _same_type(default: Any, value: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, type(default))


def _brief(e: Exception) -> str:
    text = str(e)
    return text if len(text) < 200 else text[:197] + "..."


def to_json(cfg: Config) -> dict:
    return converter.unstructure(cfg)
