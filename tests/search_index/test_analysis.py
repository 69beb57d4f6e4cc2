"""Normalisation, folding, tokenisation and synonym loading."""

import unicodedata

from search_index import Synonyms, fold, normalize, tokens


def test_normalize_composes_nfd_and_lowercases():
    assert normalize(unicodedata.normalize("NFD", "XỬ LÝ Nước")) == "xử lý nước"


def test_fold_removes_tone_and_vowel_marks_and_d_stroke():
    assert fold(normalize("Đường ống nước thải ĐỒNG")) == "duong ong nuoc thai dong"


def test_tokens_split_syllables_without_stop_words():
    assert tokens("Xử lý nước-thải, và QCVN 40:2011/BTNMT!") == [
        "xử",
        "lý",
        "nước",
        "thải",
        "và",
        "qcvn",
        "40",
        "2011",
        "btnmt",
    ]


def test_synonym_file_lists_abbreviations_and_english_terms(synonyms):
    assert len(synonyms) >= 20
    assert ("xu", "ly", "nuoc", "thai") in synonyms.alternatives(("xlnt",))
    assert ("nuoc", "thai") in synonyms.alternatives(("wastewater",))
    assert ("chat", "thai", "nguy", "hai") in synonyms.alternatives(("ctnh",))


def test_synonyms_ignore_comments_blank_lines_and_single_terms(tmp_path):
    path = tmp_path / "syn.txt"
    path.write_text("# comment\n\nbùn, sludge  # trailing\nalone\n", encoding="utf-8")
    loaded = Synonyms.load(path)
    assert len(loaded) == 1
    assert loaded.alternatives(("bun",)) == (("sludge",),)


def test_a_one_way_rule_expands_its_terms_only(tmp_path):
    path = tmp_path / "syn.txt"
    path.write_text("rác, Rac => chất thải rắn, solid waste\nchất thải rắn, ctr", encoding="utf-8")
    loaded = Synonyms.load(path)
    assert len(loaded) == 2
    assert loaded.alternatives(("rac",)) == (("chat", "thai", "ran"), ("solid", "waste"))
    assert loaded.alternatives(("chat", "thai", "ran")) == (("ctr",),)
    assert loaded.alternatives(("solid", "waste")) == ()
