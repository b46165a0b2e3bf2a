"""jieba-rs cuts as jieba does, with jieba's dictionary.

search.analyzers cuts text with jieba-rs (rjieba), five times faster than jieba's Python. A
word cut differently would be a word the index holds and a query never asks for, or the
Whoosh and OpenSearch engines disagreeing with an index built before, so whole gazettes are
compared with jieba's own cut and tokenize.
"""

import jieba
import pytest
import rjieba

from search import analyzers
from search.analyzers import WORDLIKE, fold, jieba_rs, jieba_word_list, jieba_words, segmenter
from tests.conftest import FIXTURES

MIXED = "ＡＢＣ abc 123 x1y2 互联网+政务服务 C++ 3.5% 2018年 covid-19 ２０１８ 一、\r\n\n  \t 〇 㐀 😀 市冷链产业促进中心牵头"


def _texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("*.txt"))] + [MIXED]


@pytest.mark.django_db
def test_the_real_gazettes_are_cut_as_jieba_cuts_them(search_index):
    tokenizer = segmenter()
    texts = _texts()
    assert sum(len(text) for text in texts) > 200_000

    for text in texts:
        folded = fold(text)
        assert jieba_word_list(text) == [w for w in tokenizer.cut(folded, HMM=False) if WORDLIKE.search(w)]
        assert jieba_words(text) == [t for t in tokenizer.tokenize(folded, HMM=False) if WORDLIKE.search(t[0])]


def test_a_word_added_to_the_dictionary_is_used_at_once(tmp_path, monkeypatch):
    # A dictionary file of its own: what an import's new department does to the process's segmenter.
    monkeypatch.setattr(analyzers, "dictionary_path", lambda: tmp_path / "dictionary.txt")
    sentence = "由市冷链产业促进中心牵头"
    analyzers.dictionary_path().write_text(analyzers.dictionary_text(()), encoding="utf-8")
    assert "市冷链产业促进中心" not in jieba_word_list(sentence)

    analyzers.dictionary_path().write_text(analyzers.dictionary_text(["市冷链产业促进中心"]), encoding="utf-8")

    assert "市冷链产业促进中心" in jieba_word_list(sentence)
    assert jieba_word_list(sentence) == [w for w in segmenter().cut(sentence, HMM=False) if WORDLIKE.search(w)]


def test_jiebas_total_is_kept_when_a_word_is_added_again():
    # jieba's add_word adds a word's frequency to the total even when the word was there;
    # the total divides every frequency, and a larger one makes fewer, longer words win.
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for _ in range(20):
        tokenizer.add_word("的", freq=tokenizer.FREQ["的"])
    sentence = "各县（区）人民政府，市直、中直和区直驻贺有关单位"
    words = list(tokenizer.cut(sentence, HMM=False))

    assert jieba_rs(tokenizer).cut(sentence, False) == words
    # Without the total kept, jieba-rs cuts otherwise (中直 → 中/直): the check above can fail.
    frequencies_only = rjieba.Jieba.empty()
    for word, freq in tokenizer.FREQ.items():
        if freq:
            frequencies_only.add_word(word, freq, None)
    assert frequencies_only.cut(sentence, False) != words


def test_the_stock_dictionary_agrees_too():
    # jieba's stock dictionary, without our words: the algorithm, not our dictionary, agrees.
    tokenizer = jieba.Tokenizer()
    text = MIXED + "国务院办公厅关于印发全国深化放管服改革优化营商环境电视电话会议重点任务分工方案的通知"
    assert jieba_rs(tokenizer).cut(text, False) == list(tokenizer.cut(text, HMM=False))
    assert jieba_rs(tokenizer).tokenize(text, "default", False) == list(tokenizer.tokenize(text, HMM=False))
