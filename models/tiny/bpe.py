"""A byte-level BPE tokenizer: a small trainer, an encoder, and the Hugging Face `tokenizer.json` it is saved as.

The saved file has the same pre-tokenizer, post-processor and decoder as Llama-3's, so the daemon loads it with the
same code. The encoder here reproduces what @huggingface/tokenizers does with that file (test/models/tokenizer-parity.test.ts).
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

# Llama-3's pre-tokenizer split (tokenizer.json, pre_tokenizer.pretokenizers[0]).
LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
SPECIAL_TOKENS = (
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|reserved_special_token_0|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
)
# Unicode White_Space, which @huggingface/tokenizers substitutes for \s (Python's \s differs: it adds \x1c-\x1f).
MAX_TOKEN_BYTES = 14
MAX_TOKEN_NON_ASCII_BYTES = 6
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


@lru_cache(maxsize=None)
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible map from bytes to printable characters, used by the ByteLevel pre-tokenizer."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, chars)))


_BYTE_OF = {c: b for b, c in bytes_to_unicode().items()}


def _category_class(prefix: str) -> str:
    """A regex class body with every code point whose general category starts with `prefix` (Python's re lacks \\p{..})."""
    ranges: list[list[int]] = []
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp)).startswith(prefix):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


@lru_cache(maxsize=None)
def _split_pattern() -> re.Pattern[str]:
    letters, numbers, ws = _category_class("L"), _category_class("N"), WHITE_SPACE
    contractions = "|".join("'" + "".join(f"[{c.lower()}{c.upper()}]" for c in s) for s in ("s", "t", "re", "ve", "m", "ll", "d"))
    pattern = (
        f"{contractions}"
        f"|[^\\r\\n{letters}{numbers}]?[{letters}]+"
        f"|[{numbers}]{{1,3}}"
        f"| ?[^{ws}{letters}{numbers}]+[\\r\\n]*"
        f"|[{ws}]*[\\r\\n]+"
        f"|[{ws}]+(?![^{ws}])"
        f"|[{ws}]+"
    )
    return re.compile(pattern)


def pre_tokenize(text: str) -> list[str]:
    """Llama-3's split, then each piece as ByteLevel characters."""
    table = bytes_to_unicode()
    return ["".join(table[b] for b in piece.encode("utf-8")) for piece in _split_pattern().findall(text)]


def _byte_width(token: str) -> tuple[int, int]:
    decoded = [b for b in (_BYTE_OF[c] for c in token)]
    return len(decoded), sum(1 for b in decoded if b >= 0x80)


def train_merges(texts: list[str], vocab_size: int, min_count: int = 8) -> list[tuple[str, str]]:
    """Learn merges until the vocabulary (256 bytes + merges) reaches vocab_size, or no pair occurs min_count times.

    Chinese has no spaces, so a plain trainer on this narrow domain merges whole clauses ("左上角有一个小的红色圆形").
    Tokens are kept to word size (at most 2 non-ASCII characters, 14 bytes), closer to what Llama-3's tokenizer gives Chinese.
    """
    word_counts = Counter(piece for text in texts for piece in pre_tokenize(text))
    words = [list(w) for w in word_counts]
    freqs = list(word_counts.values())
    pair_counts: Counter[tuple[str, str]] = Counter()
    where: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    for i, symbols in enumerate(words):
        for pair in zip(symbols, symbols[1:]):
            pair_counts[pair] += freqs[i]
            where[pair].add(i)
    merges: list[tuple[str, str]] = []
    while 256 + len(merges) < vocab_size and pair_counts:
        best, count = max(pair_counts.items(), key=lambda kv: (kv[1], kv[0]))
        if count < min_count:
            break
        total, wide = _byte_width(best[0] + best[1])
        if total > MAX_TOKEN_BYTES or wide > MAX_TOKEN_NON_ASCII_BYTES:
            del pair_counts[best]
            continue
        merges.append(best)
        merged = best[0] + best[1]
        for i in list(where[best]):
            symbols = words[i]
            for pair in zip(symbols, symbols[1:]):
                pair_counts[pair] -= freqs[i]
                if pair_counts[pair] <= 0:
                    del pair_counts[pair]
                where[pair].discard(i)
            out, j = [], 0
            while j < len(symbols):
                if j + 1 < len(symbols) and symbols[j] == best[0] and symbols[j + 1] == best[1]:
                    out.append(merged)
                    j += 2
                else:
                    out.append(symbols[j])
                    j += 1
            words[i] = out
            for pair in zip(out, out[1:]):
                pair_counts[pair] += freqs[i]
                where[pair].add(i)
    return merges


class ByteLevelBPE:
    def __init__(self, merges: list[tuple[str, str]]):
        self.merges = list(merges)
        self.ranks = {pair: i for i, pair in enumerate(self.merges)}
        vocab = list(bytes_to_unicode().values()) + [a + b for a, b in self.merges]
        self.vocab = {token: i for i, token in enumerate(vocab)}
        self.special = {token: len(vocab) + i for i, token in enumerate(SPECIAL_TOKENS)}
        self._special_split = re.compile("(" + "|".join(re.escape(t) for t in sorted(SPECIAL_TOKENS, key=len, reverse=True)) + ")")
        self._cache: dict[str, list[int]] = {}

    @property
    def vocab_size(self) -> int:
        return len(self.vocab) + len(self.special)

    def token_id(self, token: str) -> int:
        return self.special[token]

    def _bpe(self, piece: str) -> list[int]:
        cached = self._cache.get(piece)
        if cached is not None:
            return cached
        symbols = list(piece)
        while len(symbols) > 1:
            ranked = [(self.ranks.get(pair, len(self.ranks)), i) for i, pair in enumerate(zip(symbols, symbols[1:]))]
            rank, i = min(ranked)
            if rank == len(self.ranks):
                break
            symbols[i : i + 2] = [symbols[i] + symbols[i + 1]]
        ids = [self.vocab[s] for s in symbols]
        self._cache[piece] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """Ids as @huggingface/tokenizers gives them: special tokens matched first, the rest split and merged."""
        ids: list[int] = []
        for segment in self._special_split.split(text):
            if segment in self.special:
                ids.append(self.special[segment])
            elif segment:
                for piece in pre_tokenize(segment):
                    ids.extend(self._bpe(piece))
        return ids

    def decode(self, ids: list[int]) -> str:
        inverse = {i: t for t, i in {**self.vocab, **self.special}.items()}
        byte_of = {c: b for b, c in bytes_to_unicode().items()}
        out, pending = [], bytearray()
        for i in ids:
            token = inverse[i]
            if token in self.special:
                out.append(pending.decode("utf-8", errors="replace"))
                pending = bytearray()
                out.append(token)
            else:
                pending.extend(byte_of[c] for c in token)
        out.append(pending.decode("utf-8", errors="replace"))
        return "".join(out)

    def to_json(self) -> dict:
        byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
                for t, i in self.special.items()
            ],
            "normalizer": None,
            "pre_tokenizer": {
                "type": "Sequence",
                "pretokenizers": [
                    {"type": "Split", "pattern": {"Regex": LLAMA3_SPLIT}, "behavior": "Isolated", "invert": False},
                    byte_level,
                ],
            },
            "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": None,
                "continuing_subword_prefix": None,
                "end_of_word_suffix": None,
                "fuse_unk": False,
                "byte_fallback": False,
                "ignore_merges": False,
                "vocab": self.vocab,
                "merges": [f"{a} {b}" for a, b in self.merges],
            },
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False), encoding="utf-8")

    @staticmethod
    def load(path: Path) -> "ByteLevelBPE":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return ByteLevelBPE([tuple(m.split(" ", 1)) for m in data["model"]["merges"]])


def main() -> None:
    """`python3 -m tiny.bpe TOKENIZER_JSON < strings.json`: print the ids of each string, as JSON (for the TS parity test)."""
    tokenizer = ByteLevelBPE.load(Path(sys.argv[1]))
    texts = json.load(sys.stdin)
    json.dump([tokenizer.encode(text) for text in texts], sys.stdout)


if __name__ == "__main__":
    main()
