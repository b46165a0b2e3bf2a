"""Analysing Chinese gazette text, the same for every engine: jieba words, CJK bigrams.

Text is folded (full-width ASCII to half-width, Latin letters lowercased) one character
for one character, so token offsets point into the original text (the snippet builder
relies on that). The engines index what these functions return (the Whoosh engine through
its tokenizers, OpenSearch as whitespace-separated tokens), and search.query builds
queries from them, so both engines match the same tokens.

jieba runs in precise mode without HMM, at index and at query time alike: HMM guesses new
words from context, so the same word could split differently in a query and in a
document. One jieba tokenizer is loaded per process, from the cache file in
settings.GONGBAO_JIEBA_CACHE, with the user dictionary kept beside the index (see
search.indexing); when that file changes, the tokenizer is reloaded, or extended when words
were only added. Its dictionary is copied into jieba-rs, which does the cutting (below).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jieba
import rjieba
from django.conf import settings

from .engines import index_dir

logger = logging.getLogger(__name__)

JIEBA_MODE = "default"
JIEBA_HMM = False
# A user word's frequency: high enough that jieba keeps 市商务局 whole rather than 市/商务局,
# fixed so segmentation does not depend on the order words were added.
USER_WORD_FREQ = 20000

# Chinese characters (with 〇 as in 二〇一九) that bigrams are made of.
CJK_CHARS = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# 冷链物流 | 2018 | covid19: the runs the bigram analyzer reads; everything else separates them.
RUN = re.compile(rf"[{CJK_CHARS}]+|[0-9a-z]+")
CJK_RUN = re.compile(rf"[{CJK_CHARS}]")
# A jieba token worth indexing: has a Chinese character, a digit or a letter (drops ，。、 and spaces).
WORDLIKE = re.compile(rf"[{CJK_CHARS}0-9a-z]")
# A word jieba can hold in its dictionary: jieba splits text on anything outside this class.
JIEBA_WORD = re.compile(r"^[\u4e00-\u9fd5a-zA-Z0-9+#&._%\-]{2,40}$")
# 市商务局牵头 | 2018 | ，: jieba cuts each run of its word characters, and each run between them,
# on its own (jieba's re_han_default), so a block's words do not depend on the text around it.
JIEBA_BLOCK = jieba.re_han_default

# Policy terms jieba would otherwise split (冷链物流 → 冷/链/物流, 一照多址 → 一/照/多址).
# The department registry adds body names; new words are added to the dictionary beside
# the index by the next index run, removed ones only by a rebuild (search.indexing).
POLICY_TERMS = (
    "冷链物流",
    "快递物流",
    "电子商务",
    "营商环境",
    "优化营商环境",
    "放管服",
    "一事通办",
    "一网通办",
    "一次办好",
    "一照多址",
    "一证多址",
    "一址多照",
    "证照分离",
    "多证合一",
    "双随机",
    "一公开",
    "互联网+政务服务",
    "政务服务",
    "政务公开",
    "政务数据",
    "聚通用",
    "数字经济",
    "数字社会",
    "数字政府",
    "绿色金融",
    "增量配电",
    "配电业务",
    "地方志",
    "十四五",
    "十三五",
    "乡村振兴",
    "养老服务",
    "综合监管",
    "应急预案",
    "任务分工",
    "牵头单位",
    "配合单位",
    "责任单位",
    "市场主体",
    "制度性交易成本",
    "容缺受理",
    "告知承诺",
    "电子证照",
    "不动产登记",
    "工程建设项目",
    "公共资源交易",
    "信用修复",
    "首违不罚",
    "包容审慎",
    "食品安全",
    "消费升级",
    "公共文化",
    "事权和支出责任",
    "财政事权",
    "视频会议",
    "大宗农产品",
    "服务业",
    "高质量发展",
)


def fold(text: str) -> str:
    """Full-width ASCII to half-width, ideographic space to space, A-Z to a-z; same length as text."""
    # A few characters in a thousand change: replacing those is about four times faster than
    # str.translate, which looks every character up in the table.
    return _FOLDED.sub(_fold_char, text)


_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20})
_FOLD = {k: chr(v).lower() if chr(v).isascii() else chr(v) for k, v in _FOLD.items()}
_FOLD.update({code: chr(code + 32) for code in range(ord("A"), ord("Z") + 1)})
# Ｂ | ２０１８ | A | the ideographic space: the characters fold changes.
_FOLDED = re.compile("[" + re.escape("".join(map(chr, _FOLD))) + "]")


def _fold_char(match: re.Match) -> str:
    return _FOLD[ord(match.group())]


# --- jieba, once per process -------------------------------------------------------------


@dataclass
class _Segmenter:
    digest: str
    tokenizer: jieba.Tokenizer
    cutter: rjieba.Jieba
    words: frozenset[str]


_lock = threading.Lock()
_active: _Segmenter | None = None
_dictionary_stat: tuple | None = None


def dictionary_path() -> Path:
    """The user dictionary file the current index was built with: a sibling of the index folder."""
    # On OpenSearch too: the web process segments queries and snippets with it.
    index_path = index_dir()
    return index_path.with_name(index_path.name + ".dictionary.txt")


def dictionary_text(words: Iterable[str]) -> str:
    """The dictionary file's content for these words: policy terms plus valid words, sorted, one per line."""
    valid = {w.strip() for w in (*POLICY_TERMS, *words) if JIEBA_WORD.match(w.strip())}
    return "".join(f"{word}\n" for word in sorted(valid))


def dictionary_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_dictionary() -> str:
    path = dictionary_path()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return dictionary_text(())


def segmenter() -> jieba.Tokenizer:
    """The jieba tokenizer for the dictionary beside the index; reloaded only when that file changes."""
    return _segmenter().tokenizer


def _segmenter() -> _Segmenter:
    global _active, _dictionary_stat
    path = dictionary_path()
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        key = (str(path), None, None)
    active = _active
    if active is not None and key == _dictionary_stat:
        return active
    with _lock:
        text = _read_dictionary()
        digest = dictionary_digest(text)
        words = frozenset(text.split())
        if _active is not None and _active.digest != digest and words >= _active.words:
            # Words were only added (an import brought new departments): add them to the
            # loaded tokenizer rather than reload jieba's whole dictionary (about a second).
            tokenizer, cutter = _active.tokenizer, _active.cutter
            for word in sorted(words - _active.words):
                tokenizer.add_word(word, freq=USER_WORD_FREQ)
                cutter.add_word(word, USER_WORD_FREQ, None)
            _total_match(cutter, tokenizer)
            _active = _Segmenter(digest=digest, tokenizer=tokenizer, cutter=cutter, words=words)
        elif _active is None or _active.digest != digest:
            tokenizer = _build_tokenizer(sorted(words))
            _active = _Segmenter(digest=digest, tokenizer=tokenizer, cutter=jieba_rs(tokenizer), words=words)
        _dictionary_stat = key
        return _active


def _build_tokenizer(words: list[str]) -> jieba.Tokenizer:
    cache = Path(settings.GONGBAO_JIEBA_CACHE)
    cache.parent.mkdir(parents=True, exist_ok=True)
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(cache.parent)
    tokenizer.cache_file = cache.name
    tokenizer.initialize()
    for word in words:
        tokenizer.add_word(word, freq=USER_WORD_FREQ)
    logger.info("jieba loaded with %d user words", len(words))
    return tokenizer


def jieba_words(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) for every indexable jieba word of text, offsets into text."""
    return [
        (word, start, end)
        for word, start, end in _segmenter().cutter.tokenize(fold(text), JIEBA_MODE, JIEBA_HMM)
        if WORDLIKE.search(word)
    ]


def jieba_word_list(text: str) -> list[str]:
    """The words of jieba_words(text), without offsets."""
    return [word for word in _segmenter().cutter.cut(fold(text), JIEBA_HMM) if WORDLIKE.search(word)]


# --- jieba's cut in Rust ---------------------------------------------------------------------
# jieba cuts in Python: building a dict of lists and taking a logarithm for every candidate
# word of every character was two thirds of the time of indexing a document. jieba-rs (the
# rjieba binding) runs jieba's own algorithm, splitting, DAG, route and the joining of Latin
# letters alike, about five times faster. It is given jieba's dictionary as the tokenizer
# holds it, word by word with its frequency, so both cut the same (tests compare them on
# whole gazettes). The Python tokenizer stays the dictionary's reference.

# A word no text reaches (blocks are runs of jieba's word characters), carrying the part of
# jieba's total that no word's frequency accounts for: jieba's add_word adds a word's
# frequency to the total even when it replaces the word's old one, jieba-rs subtracts the old.
# The total divides every word's frequency, so both must hold the same.
_TOTAL_WORD = "\x00"


def jieba_rs(tokenizer: jieba.Tokenizer) -> rjieba.Jieba:
    """A jieba-rs segmenter holding this tokenizer's dictionary: the same words, frequencies and total."""
    tokenizer.check_initialized()
    cutter = rjieba.Jieba.empty()
    for word, freq in tokenizer.FREQ.items():
        if freq:  # 0: a prefix of longer words, which jieba-rs keeps in its trie
            cutter.add_word(word, freq, None)
    _total_match(cutter, tokenizer)
    return cutter


def _total_match(cutter: rjieba.Jieba, tokenizer: jieba.Tokenizer) -> None:
    """Make the jieba-rs total (the sum of its words' frequencies) jieba's total."""
    missing = tokenizer.total - sum(tokenizer.FREQ.values())
    if missing < 0:
        raise ValueError(f"jieba's total is below the sum of its frequencies by {-missing}")
    if missing or cutter.has_word(_TOTAL_WORD):
        cutter.add_word(_TOTAL_WORD, missing, None)


def jieba_positions(text: str) -> dict[str, list[int]]:
    """Each indexable jieba word of text with its positions (the JiebaTokenizer's, in order)."""
    positions: defaultdict[str, list[int]] = defaultdict(list)
    for pos, word in enumerate(jieba_word_list(text)):
        positions[word].append(pos)
    return positions


def bigram_units(text: str) -> list[tuple[str, str | None, int]]:
    """One unit per position: (unigram or Latin word, bigram starting here or None, start offset)."""
    units: list[tuple[str, str | None, int]] = []
    folded = fold(text)
    for match in RUN.finditer(folded):
        run, start = match.group(), match.start()
        if CJK_RUN.match(run):
            for i, char in enumerate(run):
                units.append((char, run[i : i + 2] if i + 1 < len(run) else None, start + i))
        else:
            units.append((run, None, start))
    return units


def bigram_positions(text: str) -> dict[str, list[int]]:
    """Each term of the BigramTokenizer's stream of text with its positions, in order.

    The same terms at the same positions as bigram_units, without a tuple per character.
    """
    positions: defaultdict[str, list[int]] = defaultdict(list)
    pos = 0
    for match in RUN.finditer(fold(text)):
        run = match.group()
        if CJK_RUN.match(run):
            for at, char in enumerate(run, pos):
                positions[char].append(at)
            for at, (first, second) in enumerate(zip(run, run[1:], strict=False), pos):
                positions[first + second].append(at)
            pos += len(run)
        else:
            positions[run].append(pos)
            pos += 1
    return positions


def bigram_query_tokens(text: str) -> list[str]:
    """Tokens for a phrase query on a bigram field: one per position, so they must follow each other.

    冷链物流 → 冷链 链物 物流 (the last 流 is implied); 2018年 → 2018 年; 冷链 物流 → 冷链 链 物流.
    """
    units = bigram_units(text)
    tokens: list[str] = []
    for i, (single, bigram, _) in enumerate(units):
        if bigram is not None:
            tokens.append(bigram)
        elif i == 0 or units[i - 1][1] is None or i + 1 < len(units):
            # A one-character run, a Latin word, or a run's last character that links to what follows.
            tokens.append(single)
    return tokens
