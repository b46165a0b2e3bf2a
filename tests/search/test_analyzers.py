"""The indexing path's own jieba segmentation gives jieba's words, exactly.

search.analyzers._cut_block replaces Tokenizer.cut(block, HMM=False) when documents are
indexed (it is two and a half times faster). A word cut differently would be a word the
index holds and a query never asks for (queries go through jieba_words, jieba's own
tokenize), so every block of the real gazettes is compared.
"""

import jieba
import pytest

from search import analyzers
from search.analyzers import JIEBA_BLOCK, fold, segmenter
from tests.conftest import FIXTURES

MIXED = (
    "ＡＢＣ abc 123 x1y2 互联网+政务服务 C++ 3.5% 2018年 covid-19 ２０１８ 一、\n\n  \t 〇 㐀 😀 市冷链产业促进中心牵头"
)


def _blocks(text: str) -> list[str]:
    return [block for block in JIEBA_BLOCK.split(fold(text)) if block]


@pytest.mark.django_db
def test_every_block_of_the_real_gazettes_is_cut_as_jieba_cuts_it(search_index):
    tokenizer = segmenter()
    texts = [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("*.txt"))] + [MIXED]
    blocks = [block for text in texts for block in _blocks(text)]

    assert len(blocks) > 10_000
    different = [b for b in blocks if analyzers._cut_block(tokenizer, b) != list(tokenizer.cut(b, HMM=False))]
    assert different == []


def test_a_word_added_to_the_dictionary_is_used_at_once():
    # A tokenizer of its own: the process's tokenizer is shared by every test.
    tokenizer = jieba.Tokenizer()
    sentence = "由市冷链产业促进中心牵头"
    assert "市冷链产业促进中心" not in analyzers._cut_block(tokenizer, sentence)

    tokenizer.add_word("市冷链产业促进中心", freq=analyzers.USER_WORD_FREQ)

    assert "市冷链产业促进中心" in analyzers._cut_block(tokenizer, sentence)
    assert analyzers._cut_block(tokenizer, sentence) == list(tokenizer.cut(sentence, HMM=False))


def test_the_default_tokenizer_agrees_too():
    # jieba's stock dictionary, without our words: the algorithm, not our dictionary, agrees.
    tokenizer = jieba.Tokenizer()
    for block in _blocks(
        MIXED + "国务院办公厅关于印发全国深化放管服改革优化营商环境电视电话会议重点任务分工方案的通知"
    ):
        assert analyzers._cut_block(tokenizer, block) == list(tokenizer.cut(block, HMM=False))
