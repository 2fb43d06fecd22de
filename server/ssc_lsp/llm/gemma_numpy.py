"""A pure-numpy Gemma 3 runtime for the embedded model: the fallback when llama.cpp cannot load.

Why this exists: the prebuilt llama.cpp library in ``llama-cpp-py-sync`` is
linked against glibc 2.38, so it does not load on Debian 12, Ubuntu 22.04
and other still-common systems -- including the project's own CI machines.
Gemma 3 270M is small enough that a straightforward numpy forward pass
(weights dequantized to float32 once, about 1.1 GB) runs at usable speed on
a CPU for one-line completions.  Reading the GGUF and dequantizing its
blocks is delegated to the ``gguf`` package (llama.cpp's own Python reader).

Only what Gemma 3 text generation needs is implemented: the SentencePiece
tokenizer from the GGUF vocabulary, the decoder stack (GQA attention with
QK-norm, sliding-window layers, NEOX RoPE with per-layer base, gated GELU
MLP, sandwich norms), a KV cache and greedy / top-k sampling.
"""

from __future__ import annotations

import codecs
import heapq
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

_SPACE = "\u2581"  # SentencePiece's visible space
_NORMAL, _CONTROL, _USER_DEFINED, _BYTE = 1, 3, 4, 6


class SpmTokenizer:
    """SentencePiece (score-based merge) tokenizer, as llama.cpp's ``llama`` vocab type.

    User-defined tokens (Gemma has runs of newlines and spaces, some HTML
    tags) are split out first and always map to their own ids; the rest is
    merged pairwise by highest score, with byte fallback for unknown characters.
    """

    def __init__(
        self, tokens: list[str], scores: list[float], types: list[int], bos: int, eos: int
    ):
        self.tokens = tokens
        self.types = types
        self.bos_id, self.eos_id = bos, eos
        self.scores = scores
        self._piece_to_id = {t: i for i, t in enumerate(tokens) if types[i] == _NORMAL}
        self._byte_to_id = {}
        for i, t in enumerate(tokens):
            if types[i] == _BYTE and len(t) == 6 and t.startswith("<0x"):
                self._byte_to_id[int(t[3:5], 16)] = i
        user = sorted(
            ((t, i) for i, t in enumerate(tokens) if types[i] == _USER_DEFINED and t),
            key=lambda item: -len(item[0]),
        )
        self._user_ids = dict(user)
        self._user_re = re.compile("|".join(re.escape(t) for t, _ in user)) if user else None
        eog = [eos] + [i for i, t in enumerate(tokens) if t in ("<end_of_turn>", "<eos>")]
        self.eog_ids = frozenset(eog)

    def encode(self, text: str, add_bos: bool = True) -> list[int]:
        ids = [self.bos_id] if add_bos else []
        pos = 0
        if self._user_re is not None:
            for match in self._user_re.finditer(text):
                ids += self._encode_piece(text[pos : match.start()])
                ids.append(self._user_ids[match.group(0)])
                pos = match.end()
        ids += self._encode_piece(text[pos:])
        return ids

    def _encode_piece(self, text: str) -> list[int]:
        if not text:
            return []
        symbols = list(text.replace(" ", _SPACE))
        n = len(symbols)
        prev = list(range(-1, n - 1))
        nxt = list(range(1, n + 1))
        nxt[-1] = -1
        alive = [True] * n
        heap: list[tuple[float, int, int, str]] = []

        def push(left: int) -> None:
            right = nxt[left]
            if right == -1:
                return
            merged = symbols[left] + symbols[right]
            token = self._piece_to_id.get(merged)
            if token is not None:
                heapq.heappush(heap, (-self.scores[token], left, right, merged))

        for i in range(n - 1):
            push(i)
        while heap:
            _, left, right, merged = heapq.heappop(heap)
            # Skip stale entries: either side merged away or changed since pushed.
            if not (alive[left] and alive[right] and nxt[left] == right):
                continue
            if symbols[left] + symbols[right] != merged:
                continue
            symbols[left] = merged
            alive[right] = False
            nxt[left] = nxt[right]
            if nxt[right] != -1:
                prev[nxt[right]] = left
            if prev[left] != -1:
                push(prev[left])
            push(left)
        out: list[int] = []
        i = 0
        while i != -1:
            piece = symbols[i]
            token = self._piece_to_id.get(piece)
            if token is not None:
                out.append(token)
            else:
                out += [self._byte_to_id[b] for b in piece.encode("utf-8") if b in self._byte_to_id]
            i = nxt[i]
        return out

    def piece_bytes(self, token: int) -> bytes:
        """The raw bytes a token stands for (control tokens render as nothing)."""
        kind = self.types[token]
        text = self.tokens[token]
        if kind == _BYTE:
            return bytes([int(text[3:5], 16)])
        if kind == _CONTROL:
            return b""
        return text.replace(_SPACE, " ").encode("utf-8")

    def decode(self, ids: list[int]) -> str:
        return b"".join(self.piece_bytes(i) for i in ids).decode("utf-8", errors="replace")


def _rms_norm(x: np.ndarray, weight: np.ndarray, eps: float) -> np.ndarray:
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * weight


def _gelu_tanh(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))


class GemmaNumpyRuntime:
    """Gemma 3 text model from a GGUF file, evaluated with numpy (LocalRuntime protocol)."""

    def __init__(self, model_path: str | Path, *, n_ctx: int = 1024) -> None:
        from gguf import GGUFReader
        from gguf.quants import dequantize

        self.model_path = Path(model_path)
        reader = GGUFReader(str(self.model_path))
        fields = reader.fields

        def meta(key: str, default: object = None) -> object:
            field = fields.get(key)
            return default if field is None else field.contents()

        arch = meta("general.architecture")
        if arch != "gemma3":
            raise ValueError(
                f"{self.model_path.name} is a {arch!r} model; only gemma3 is supported"
            )
        self.n_embd = int(meta("gemma3.embedding_length"))
        self.n_layer = int(meta("gemma3.block_count"))
        self.n_head = int(meta("gemma3.attention.head_count"))
        self.n_head_kv = int(meta("gemma3.attention.head_count_kv"))
        self.head_dim = int(meta("gemma3.attention.key_length"))
        self.eps = float(meta("gemma3.attention.layer_norm_rms_epsilon", 1e-6))
        self.rope_base_global = float(meta("gemma3.rope.freq_base", 1_000_000.0))
        self.rope_base_local = 10_000.0  # fixed for Gemma 3's sliding-window layers
        self.window = int(meta("gemma3.attention.sliding_window", 512))
        self.n_ctx = n_ctx
        self.tokenizer = SpmTokenizer(
            list(meta("tokenizer.ggml.tokens")),
            [float(s) for s in meta("tokenizer.ggml.scores")],
            [int(t) for t in meta("tokenizer.ggml.token_type")],
            int(meta("tokenizer.ggml.bos_token_id", 2)),
            int(meta("tokenizer.ggml.eos_token_id", 1)),
        )

        weights: dict[str, np.ndarray] = {}
        for tensor in reader.tensors:
            data = dequantize(tensor.data, tensor.tensor_type)
            shape = tuple(int(d) for d in reversed(tensor.shape))  # (rows, cols) numpy order
            weights[tensor.name] = np.ascontiguousarray(data.reshape(shape), dtype=np.float32)
        self.embed = weights.pop("token_embd.weight")  # (vocab, n_embd); tied output head
        self.output_norm = weights.pop("output_norm.weight")
        self.layers = []
        for il in range(self.n_layer):
            p = f"blk.{il}."

            def w(name: str, p: str = p) -> np.ndarray:
                return weights.pop(p + name)

            self.layers.append(
                {
                    "attn_norm": w("attn_norm.weight"),
                    # Stored (out, in); transposed once so activations multiply on the left.
                    "wq": np.ascontiguousarray(w("attn_q.weight").T),
                    "wk": np.ascontiguousarray(w("attn_k.weight").T),
                    "wv": np.ascontiguousarray(w("attn_v.weight").T),
                    "wo": np.ascontiguousarray(w("attn_output.weight").T),
                    "q_norm": w("attn_q_norm.weight"),
                    "k_norm": w("attn_k_norm.weight"),
                    "post_attn_norm": w("post_attention_norm.weight"),
                    "ffn_norm": w("ffn_norm.weight"),
                    "w_gate": np.ascontiguousarray(w("ffn_gate.weight").T),
                    "w_up": np.ascontiguousarray(w("ffn_up.weight").T),
                    "w_down": np.ascontiguousarray(w("ffn_down.weight").T),
                    "post_ffn_norm": w("post_ffw_norm.weight"),
                    "global": il % 6 == 5,
                }
            )
        half = self.head_dim // 2
        exponents = np.arange(half, dtype=np.float64) * 2.0 / self.head_dim
        self._inv_freq = {
            True: (self.rope_base_global**-exponents).astype(np.float64),
            False: (self.rope_base_local**-exponents).astype(np.float64),
        }
        self._k_cache = np.zeros((self.n_layer, n_ctx, self.n_head_kv, self.head_dim), np.float32)
        self._v_cache = np.zeros((self.n_layer, n_ctx, self.n_head_kv, self.head_dim), np.float32)

    # -- LocalRuntime protocol ---------------------------------------------------------

    def tokenize(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_bos=False)

    def describe(self) -> str:
        return f"{self.model_path.name} via the numpy Gemma 3 runtime"

    def close(self) -> None:
        self.layers = []
        self._k_cache = self._v_cache = np.zeros(0, np.float32)

    def generate(
        self,
        prompt: str,
        *,
        max_tokens: int,
        temperature: float,
        stop: list[str],
        should_stop: Callable[[], bool],
        seed: int | None = 0,
    ) -> Iterator[str]:
        ids = self.tokenizer.encode(prompt, add_bos=True)
        # the prompt keeps at least half the context: a task's bound (2,048 tokens) past the
        # context made the slice below keep nothing of the prompt but its first token
        max_tokens = min(max_tokens, self.n_ctx // 2)
        if len(ids) + max_tokens > self.n_ctx:
            ids = [ids[0]] + ids[-(self.n_ctx - max_tokens - 1) :]
        rng = np.random.default_rng(seed)
        logits = self._forward(ids, 0, should_stop)
        if logits is None:
            return
        n_past = len(ids)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text = ""
        emitted = 0
        hold = max((len(s) for s in stop), default=1) - 1
        for _ in range(max_tokens):
            if should_stop():
                return
            token = _sample(logits, temperature, rng)
            if token in self.tokenizer.eog_ids:
                break
            text += decoder.decode(self.tokenizer.piece_bytes(token))
            cut = min((text.find(s) for s in stop if s and s in text), default=-1)
            if cut >= 0:
                if cut > emitted:
                    yield text[emitted:cut]
                return
            # Hold back a possible stop-sequence start so it is never emitted.
            safe = max(emitted, len(text) - hold)
            if safe > emitted:
                yield text[emitted:safe]
                emitted = safe
            if n_past >= self.n_ctx:
                break
            logits = self._forward([token], n_past, should_stop)
            if logits is None:
                return
            n_past += 1
        text += decoder.decode(b"", final=True)
        if len(text) > emitted:
            yield text[emitted:]

    # -- the model ------------------------------------------------------------------

    def _rope(self, x: np.ndarray, positions: np.ndarray, is_global: bool) -> np.ndarray:
        """NEOX-style rotary embedding over the last axis; x is (T, heads, head_dim)."""
        angles = positions[:, None].astype(np.float64) * self._inv_freq[is_global][None, :]
        cos = np.cos(angles).astype(np.float32)[:, None, :]
        sin = np.sin(angles).astype(np.float32)[:, None, :]
        half = self.head_dim // 2
        x1, x2 = x[..., :half], x[..., half:]
        return np.concatenate([x1 * cos - x2 * sin, x2 * cos + x1 * sin], axis=-1)

    def _forward(
        self, ids: list[int], n_past: int, should_stop: Callable[[], bool]
    ) -> np.ndarray | None:
        """Run ``ids`` at positions n_past..; return the last position's logits (None if stopped)."""
        n = len(ids)
        positions = np.arange(n_past, n_past + n)
        x = self.embed[np.asarray(ids)] * np.float32(math.sqrt(self.n_embd))
        scale = np.float32(1.0 / math.sqrt(self.head_dim))
        total = n_past + n
        key_pos = np.arange(total)
        causal = key_pos[None, :] > positions[:, None]
        local_mask = causal | (positions[:, None] - key_pos[None, :] >= self.window)
        group = self.n_head // self.n_head_kv
        for il, layer in enumerate(self.layers):
            if should_stop():
                return None
            h = _rms_norm(x, layer["attn_norm"], self.eps)
            q = (h @ layer["wq"]).reshape(n, self.n_head, self.head_dim)
            k = (h @ layer["wk"]).reshape(n, self.n_head_kv, self.head_dim)
            v = (h @ layer["wv"]).reshape(n, self.n_head_kv, self.head_dim)
            q = _rms_norm(q, layer["q_norm"], self.eps)
            k = _rms_norm(k, layer["k_norm"], self.eps)
            q = self._rope(q, positions, layer["global"]) * scale
            k = self._rope(k, positions, layer["global"])
            self._k_cache[il, n_past:total] = k
            self._v_cache[il, n_past:total] = v
            keys = self._k_cache[il, :total]  # (S, kv, d)
            values = self._v_cache[il, :total]
            mask = causal if layer["global"] else local_mask
            heads = []
            for hk in range(self.n_head_kv):
                qg = q[:, hk * group : (hk + 1) * group, :]  # (T, g, d)
                scores = np.einsum("tgd,sd->gts", qg, keys[:, hk, :])
                scores = np.where(mask[None, :, :], np.float32(-np.inf), scores)
                scores -= scores.max(axis=-1, keepdims=True)
                probs = np.exp(scores)
                probs /= probs.sum(axis=-1, keepdims=True)
                heads.append(np.einsum("gts,sd->tgd", probs, values[:, hk, :]))
            attn = np.concatenate(heads, axis=1).reshape(n, self.n_head * self.head_dim)
            out = _rms_norm(attn @ layer["wo"], layer["post_attn_norm"], self.eps)
            x = x + out
            h = _rms_norm(x, layer["ffn_norm"], self.eps)
            ff = (_gelu_tanh(h @ layer["w_gate"]) * (h @ layer["w_up"])) @ layer["w_down"]
            x = x + _rms_norm(ff, layer["post_ffn_norm"], self.eps)
        last = _rms_norm(x[-1], self.output_norm, self.eps)
        return self.embed @ last


def _sample(logits: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """Greedy at low temperature (what completion wants); top-k 40 sampling otherwise."""
    if temperature <= 0.25:
        return int(np.argmax(logits))
    top = np.argpartition(logits, -40)[-40:]
    scaled = logits[top].astype(np.float64) / temperature
    scaled -= scaled.max()
    probs = np.exp(scaled)
    probs /= probs.sum()
    return int(top[rng.choice(len(top), p=probs)])
