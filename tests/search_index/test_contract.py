"""The contract every search backend keeps (search_index/__init__.py), run on each backend this
test run can reach (Whoosh always, PostgreSQL when TEST_DATABASE_URL names one), and the promise
that two backends given the same documents find the same documents for the same queries."""

import random
import unicodedata
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_index import IndexLocked, document_digest, fold
from tests.search_index.conftest import BACKENDS

# -- results: facets, kinds, sorting, pagination, highlights, suggestions, caching


@pytest.fixture
def directory(index_with, make_doc):
    def firm(id, ward, size, updated):
        return make_doc(
            id=id,
            title=f"Công ty môi trường số {id}",
            body="Xử lý nước thải.",
            facets={"ward": [ward], "size": [size]},
            updated=updated,
        )

    return index_with(
        firm(1, "a", "small", datetime(2025, 1, 1)),
        firm(2, "a", "large", datetime(2025, 3, 1)),
        firm(3, "b", "small", datetime(2024, 1, 1)),
        firm(4, "c", "small", datetime(2025, 2, 1)),
        make_doc(
            kind="programme",
            id=1,
            title="Chương trình môi trường",
            body="nước thải",
            facets={"status": ["open"]},
            closes=date(2026, 5, 1),
        ),
        make_doc(
            kind="programme",
            id=2,
            title="Chương trình môi trường 2",
            body="nước thải",
            facets={"status": ["open"]},
            closes=date(2026, 2, 1),
        ),
        make_doc(
            kind="programme",
            id=3,
            title="Chương trình môi trường 3",
            body="nước thải",
            facets={"status": ["closed"]},
            closes=None,
        ),
    )


def ids(result):
    return [(hit.kind, hit.id) for hit in result.hits]


def test_filters_are_or_within_a_facet_and_and_across_facets(directory):
    either_ward = directory.search("môi trường", filters={"ward": ["a", "b"]})
    assert {hit.id for hit in either_ward.hits} == {1, 2, 3}
    both = directory.search("môi trường", filters={"ward": ["a", "b"], "size": ["small"]})
    assert {hit.id for hit in both.hits} == {1, 3}


def test_facet_counts_ignore_their_own_filter_but_apply_the_others(directory):
    result = directory.search(
        "môi trường",
        kinds=["firm"],
        filters={"ward": ["a"], "size": ["small"]},
        facets=["ward", "size"],
    )
    assert result.total == 1
    assert result.facet_counts["ward"] == {"a": 1, "b": 1, "c": 1}
    assert result.facet_counts["size"] == {"small": 1, "large": 1}


def test_kinds_filter_results_and_kind_counts_cover_all_kinds(directory):
    result = directory.search("nước thải", kinds=["programme"])
    assert {kind for kind, _ in ids(result)} == {"programme"}
    assert result.total == 3
    assert result.kind_counts == {"firm": 4, "programme": 3}


def test_sort_newest_and_closing(directory):
    newest = directory.search("môi trường", kinds=["firm"], sort="newest")
    assert [hit.id for hit in newest.hits] == [2, 4, 1, 3]
    closing = directory.search("chương trình", sort="closing")
    assert [hit.id for hit in closing.hits] == [2, 1, 3]


def test_pagination_splits_results_without_overlap(directory):
    pages = [directory.search("nước thải", per_page=3, page=n) for n in (1, 2, 3, 4)]
    assert [len(p.hits) for p in pages] == [3, 3, 1, 0]
    seen = [key for page in pages for key in ids(page)]
    assert len(seen) == len(set(seen)) == 7
    assert all(page.total == 7 for page in pages)


def test_blank_query_browses_everything_newest_first(directory):
    result = directory.search("", kinds=["firm"], filters={"size": ["small"]})
    assert [hit.id for hit in result.hits] == [4, 1, 3]


def test_query_without_any_word_matches_nothing(directory):
    assert directory.search("!!! ***").total == 0


def test_excluded_words_or_and_prefix(directory):
    assert directory.search("môi trường -chương").kind_counts == {"firm": 4}
    assert directory.search("nuoc NOT chuong").kind_counts == {"firm": 4}
    assert directory.search("xyzzy OR chương").total == 3
    assert directory.search("chươ*").total == 3


def test_highlights_mark_matches_and_escape_html(index_with, make_doc):
    backend = index_with(
        make_doc(
            id=1,
            title="<script>alert(1)</script> Nước Thải & Co",
            body="Mô tả <b>đậm</b> về nước thải.",
        )
    )
    hit = backend.search("nuoc thai").hits[0]
    assert hit.highlights["title"] == (
        "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Nước</mark> <mark>Thải</mark> &amp; Co"
    )
    assert hit.highlights["body"] == (
        "Mô tả &lt;b&gt;đậm&lt;/b&gt; về <mark>nước</mark> <mark>thải</mark>."
    )
    assert hit.stored == {"name": "<script>alert(1)</script> Nước Thải & Co"}


def test_prefix_matches_are_highlighted(index_with, make_doc):
    backend = index_with(make_doc(id=1, title="Nhà máy quan trắc Dung Quất"))
    assert backend.search("quan tr*").hits[0].highlights["title"] == (
        "Nhà máy <mark>quan</mark> <mark>trắc</mark> Dung Quất"
    )


def test_suggestion_corrects_a_misspelt_word_from_the_index(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, body="xử lý nước thải"), make_doc(id=2, body="nước thải sinh hoạt")
    )
    assert backend.search("nuoc thia").suggestion == "nuoc thai"
    assert backend.search("nước thảii").suggestion == "nước thải"
    assert backend.search("nước thải").suggestion is None


@pytest.fixture
def places(index_with, make_doc):
    return index_with(
        make_doc(id=1, title="Cụm công nghiệp Tịnh Phong", body="Kêu gọi đầu tư."),
        make_doc(id=2, title="Công ty Giấy Bình Sơn", body="Tái chế giấy."),
        make_doc(id=3, title="Công ty Sa Kỳ", body="Ứng phó sự cố tràn dầu."),
        make_doc(id=4, title="Quỹ đầu tư", body="Đầu tư xanh."),
        make_doc(id=5, title="Chương trình đầu tư", body="Hỗ trợ đầu tư."),
        make_doc(id=6, title="Điện mặt trời Sa Huỳnh", body="Hỗ trợ lắp đặt."),
        make_doc(id=7, title="Hỗ trợ kỹ thuật", body="Hỗ trợ doanh nghiệp."),
        make_doc(id=8, title="Hỗ trợ vốn", body="Hỗ trợ vay."),
    )


@pytest.mark.parametrize(
    "query, found, suggestion",
    [
        ("Tịnh Phòn", 1, "tịnh phong"),
        ("tinh phonh", 1, "tinh phong"),
        ("Tịnh Hhong", 1, "tịnh phong"),  # the first letter too
        ("Bìng Sơn", 2, "bình sơn"),
        ("tràn dầuu", 3, "tràn dầu"),  # spelt as next to "tràn", not as the commoner "đầu"
    ],
)
def test_a_syllable_the_index_lacks_matches_its_likeliest_correction(
    places, query, found, suggestion
):
    result = places.search(query)
    assert result.hits[0].id == found
    assert result.suggestion == suggestion


def test_the_first_two_letters_swapped_in_a_short_syllable(index_with, make_doc):
    backend = index_with(make_doc(id=1, title="Sơn Hà"), make_doc(id=2, title="Sơn Tịnh"))
    result = backend.search("osn")
    assert ({h.id for h in result.hits}, result.suggestion) == ({1, 2}, "son")


def test_words_the_index_has_next_to_each_other_are_not_corrected(places):
    for query in ("điện mặt trời", "Tịnh Phong", "tràn dầu", "hỗ trợ"):
        assert places.search(query).suggestion is None
    # Frequent "trợ" is not what "trời" meant: "mặt trời" is in the index.
    assert [h.id for h in places.search("mặt trời").hits] == [6]


def test_a_real_syllable_out_of_place_gets_a_suggestion(places, make_doc):
    more = ["Sớm nay ở Bình Minh", "Nhựa Bình Sơn", "Gạch Bình Sơn"]
    places.apply([make_doc(id=9 + n, title=title) for n, title in enumerate(more)])
    result = places.search("Bình Sơm")  # "sơm" is a syllable (sớm), never next to "bình"
    assert result.suggestion == "bình sơn"
    assert {h.id for h in result.hits} == {9, 2, 10, 11}  # the typed syllable and "sơn"


def test_typos_count_only_the_documents_still_indexed(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Công ty Phong Lan"),
        make_doc(id=2, title="Má phanh xe tải"),
        make_doc(id=3, title="Dầu phanh"),
        *(make_doc(id=n, title=f"Gió phong số {n}") for n in range(4, 9)),
    )
    backend.apply([], deletes=[("firm", n) for n in range(4, 9)])
    # "phong" had six documents and has one left: "phanh" (two) is the likelier correction.
    result = backend.search("phonh")
    assert ({h.id for h in result.hits}, result.suggestion) == ({2, 3}, "phanh")


def test_suggest_completes_the_last_word_without_accents(index_with, make_doc):
    backend = index_with(
        make_doc(
            id=1, title="Công ty Môi trường Xanh", title_en="Green Env Co.", stored={"slug": "x"}
        ),
        make_doc(id=2, title="Công ty Môi giới Nhà đất"),
        make_doc(kind="zone", id=3, title="Khu công nghiệp Tịnh Phong"),
    )
    assert [s["id"] for s in backend.suggest("cong ty moi tr")] == [1]
    assert backend.suggest("cong ty moi tr")[0] == {
        "kind": "firm",
        "id": 1,
        "title": "Công ty Môi trường Xanh",
        "title_en": "Green Env Co.",
        "stored": {"slug": "x"},
    }
    assert [s["id"] for s in backend.suggest("green e")] == [1]  # English titles complete too
    assert {s["id"] for s in backend.suggest("moi")} == {1, 2}
    assert [s["kind"] for s in backend.suggest("tinh ph", kinds=["zone"])] == ["zone"]
    assert backend.suggest("tinh ph", kinds=["firm"]) == []


def test_result_cache_serves_repeats_and_never_outlives_a_change(index_with, make_doc):
    backend = index_with(make_doc(id=1, title="Công ty A"))
    first = backend.search("cong ty")
    assert backend.search("cong ty") is first
    backend.apply([make_doc(id=2, title="Công ty B")])
    assert backend.search("cong ty").total == 2


def test_cache_can_be_turned_off(backend_factory, backend_name, make_doc):
    backend = backend_factory(backend_name, cache=False)
    backend.apply([make_doc(id=1, title="A")])
    assert backend.search("a") is not backend.search("a")
    assert backend.search("a") == backend.search("a")


def test_relevance_scores_every_document_sharing_any_term(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Xử lý nước thải MBR", body="bể sinh học màng"),
        make_doc(id=2, title="Lò đốt chất thải", body="đốt rác công nghiệp"),
        make_doc(id=3, title="Tư vấn môi trường", body="báo cáo đánh giá tác động"),
        make_doc(kind="programme", id=4, title="Hỗ trợ xử lý nước thải"),
    )
    scores = backend.relevance("nuoc thai OR lo dot OR mbr", kinds=["firm"])
    assert set(scores) == {"firm:1", "firm:2"}
    assert scores["firm:1"] > scores["firm:2"] > 0
    assert backend.relevance("", kinds=["firm"]) == {}


def test_generation_changes_when_the_index_changes(index_with, make_doc):
    backend = index_with(make_doc(id=1, title="Một"))
    before = backend.generation()
    assert backend.generation() == before
    backend.apply([make_doc(id=2, title="Hai")])
    assert backend.generation() != before


def test_an_index_never_written_answers_every_query_with_nothing(backend):
    for text in ("xử lý nước thải", "xu ly", "", '"nuoc thai"'):
        result = backend.search(text)
        assert result.total == 0 and result.hits == []


# -- relevance: accents typed, adjacency, field boosts, synonyms and English text


def ranked_ids(backend, query):
    return [hit.id for hit in backend.search(query).hits]


def test_accented_query_ranks_exact_accents_above_folded_only_matches(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Công ty Minh Long", body="Dịch vụ nước thái cho khu dân cư."),
        make_doc(id=2, title="Công ty Minh Long", body="Dịch vụ nước thải cho khu dân cư."),
    )
    assert ranked_ids(backend, "nước thải") == [2, 1]
    assert ranked_ids(backend, "nước thái") == [1, 2]
    assert set(ranked_ids(backend, "nuoc thai")) == {1, 2}


def test_a_syllable_typed_with_its_marks_ranks_exact_matches_first(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Cụm công nghiệp Núi Dâu", body="Kêu gọi đầu tư hạ tầng."),
        make_doc(id=2, title="Công ty Sa Kỳ", body="Phao quây, bông thấm dầu cho cảng cá."),
        make_doc(id=3, title="Chất trợ keo tụ cho xỉ", body="Hóa chất."),
        make_doc(id=4, title="Công ty Vật liệu Xanh", body="Tiếp nhận tro, xỉ đáy lò."),
    )
    assert ranked_ids(backend, "dầu")[0] == 2
    # Once a query has diacritics, a syllable typed without them is meant without them.
    assert ranked_ids(backend, "tro xỉ") == [4, 3]


def test_an_unaccented_syllable_ranks_its_likelier_reading_first(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Công ty Xanh", body="Nhận dầu thải, tro bay."),
        make_doc(id=2, title="Công ty Vàng", body="Nhận đầu tư, hỗ trợ."),
        make_doc(id=3, title="Công ty Đỏ", body="Nhận đầu tư, hỗ trợ."),
        make_doc(id=4, title="Công ty Lam", body="Nhận đầu tư, hỗ trợ."),
    )
    assert ranked_ids(backend, "dau")[-1] == 1  # "đầu" is written three times as often
    # Unless documents write the syllable as typed: "tro" is a word (ash) as much as "trợ".
    assert ranked_ids(backend, "tro")[0] == 1


def test_adjacent_syllables_rank_above_scattered_ones(index_with, make_doc):
    # "bỏ rác" is not one word: its syllables may be apart, next to each other ranks first.
    backend = index_with(
        make_doc(id=1, title="Công ty An Phát", body="Thu gom rác cho dân, bỏ đúng hạn."),
        make_doc(id=2, title="Công ty An Phát", body="Thu gom cho dân, bỏ rác đúng hạn."),
    )
    assert ranked_ids(backend, "bỏ rác") == [2, 1]
    assert ranked_ids(backend, "bo rac") == [2, 1]


def test_a_syllable_followed_by_a_completion_of_the_prefix_ranks_first(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Sinh hoạt khu dân cư", body="Khí hậu ven biển."),
        make_doc(id=2, title="Công ty An Phát", body="Viên nén sinh khối."),
        make_doc(id=3, title="Công ty Sao Mai", body="Khói bụi và nước sinh hoạt."),
    )
    assert ranked_ids(backend, "sinh kh*")[0] == 2
    assert ranked_ids(backend, "SINH KH*")[0] == 2


def test_a_prefix_after_a_syllable_must_follow_it(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Màng lọc MBR", body="Xử lý nước."),
        make_doc(id=2, title="Lưới chắn rác", body="Màng chống thấm HDPE."),
        make_doc(id=3, title="Công ty Hấp thụ", body="Tháp hấp thụ khí thải."),
    )
    assert ranked_ids(backend, "màng l*") == [1]  # one letter after a syllable
    assert ranked_ids(backend, "mang l*") == [1]
    assert ranked_ids(backend, "hấp th*") == [3]
    result = backend.search("màng x*")  # none has "màng x…"; one has "màng" and "xử" apart
    assert ([h.id for h in result.hits], result.relaxed) == ([1], True)


def test_the_last_word_matches_as_a_prefix_while_it_is_typed(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Tái chế nhựa", body="Hạt nhựa tái chế."),
        make_doc(id=2, title="Công ty Tái Sinh", body="Chất thải rắn."),
        make_doc(id=3, title="Công ty Nước Sạch", body="Xử lý nước thải sinh hoạt."),
        make_doc(id=4, title="Công ty CH", body="Tái tạo và ch nước."),
    )
    result = backend.search("tái ch")  # "ch" is not a syllable: it is being typed
    assert {h.id for h in result.hits} == {1, 4} and result.suggestion is None
    assert ranked_ids(backend, "tai ch") == [4, 1]  # the whole word first
    assert ranked_ids(backend, "nước th") == [3]
    assert ranked_ids(backend, "xu ly nuoc tha") == [3]
    assert ranked_ids(backend, "nhự") == [1]
    # A whole word ranks above its longer completions; quotes or a space end the word.
    found = ranked_ids(backend, "ch")
    assert found[0] == 4 and sorted(found) == [1, 2, 4]
    assert ranked_ids(backend, 'tái "ch"') == [4]
    assert ranked_ids(backend, "tái ch ") == [4]
    assert ranked_ids(backend, "tái chế") == [1]  # a known word: not a prefix
    (made,) = [h for h in result.hits if h.id == 1]
    assert made.highlights["title"] == "<mark>Tái</mark> <mark>chế</mark> nhựa"


def test_the_syllables_of_a_word_must_be_together(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Chương trình đào tạo", body="Năng suất, sản lượng, tái chế."),
        make_doc(id=2, title="Chương trình năng lượng tái tạo", body="Điện mặt trời."),
        make_doc(id=3, title="Nước sạch cho dân", body="Thải bỏ rác đúng hạn."),
    )
    for query in ("năng lượng tái tạo", "NANG LUONG tai tao", "chương trình năng lượng"):
        result = backend.search(query)
        assert ([h.id for h in result.hits], result.total, result.relaxed) == ([2], 1, False)
    assert backend.search("nước thải").relaxed  # only "nước" and "thải" apart: the fallback
    # Words of a query may be apart from each other: "đào tạo" and "chương trình" are.
    assert ranked_ids(backend, "đào tạo chương trình") == [1]


def test_when_no_record_has_a_word_together_its_syllables_may_be_apart(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Chương trình đào tạo", body="Năng suất, sản lượng, tái chế."),
        make_doc(id=2, title="Công ty An Phát", body="Sản xuất gạch."),
    )
    result = backend.search("năng lượng tái tạo")
    assert ([h.id for h in result.hits], result.total, result.relaxed) == ([1], 1, True)
    assert backend.search("năng suất").relaxed is False
    nothing = backend.search("năng lượng mặt trời")
    assert (nothing.total, nothing.relaxed) == (0, False)


def test_names_the_application_knows_are_words(backend_factory, backend_name, make_doc):
    from search_index import Words

    backend = backend_factory(backend_name, words=Words.bundled().extended(["Lý Sơn"]))
    backend.apply(
        [
            make_doc(id=1, title="Công ty Xử lý Môi trường Sơn Hà", body="Xử lý nước."),
            make_doc(id=2, title="Công ty Thủy sản Lý Sơn", body="Chế biến hải sản."),
        ]
    )
    assert ranked_ids(backend, "Lý Sơn") == [2]
    assert ranked_ids(backend, "ly son") == [2]


def test_quoted_phrase_requires_adjacent_syllables(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, body="lò hơi và đốt rác"),
        make_doc(id=2, body="lò đốt rác thải y tế"),
        make_doc(id=3, body="xử lý nước rồi thải ra sông"),
        make_doc(id=4, title="Xử lý nước thải", body="khác"),
    )
    assert ranked_ids(backend, '"lò đốt"') == [2]
    assert ranked_ids(backend, '"xu ly nuoc thai"') == [4]
    assert ranked_ids(backend, '"nước rồi thải"') == [3]
    assert set(ranked_ids(backend, "lò đốt")) == {1, 2}


def test_long_phrase_needs_all_syllables_in_one_run(index_with, make_doc):
    # Every adjacent pair of the phrase occurs, but never as one run of four syllables.
    backend = index_with(
        make_doc(id=1, body="xử lý nước sạch và lý nước thải"),
        make_doc(id=2, body="hệ thống xử lý nước thải"),
    )
    assert ranked_ids(backend, '"xử lý nước thải"') == [2]
    assert set(ranked_ids(backend, "xử lý nước thải")) == {1, 2}


def test_phrase_never_spans_two_fields(index_with, make_doc):
    backend = index_with(make_doc(id=1, title="Công ty lò", body="đốt rác"))
    assert ranked_ids(backend, '"lò đốt"') == []


def test_name_ranks_above_description(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Công ty Sông Trà", body="Chuyên cung cấp lò đốt chất thải y tế."),
        make_doc(id=2, title="Công ty Lò đốt Sông Trà", body="Chuyên cung cấp thiết bị y tế."),
        make_doc(id=3, title="Công ty Sông Trà", keywords="Lò đốt chất thải", body="Thiết bị."),
    )
    assert ranked_ids(backend, "lò đốt") == [2, 3, 1]


def test_name_ranks_above_a_description_repeating_the_term(index_with, make_doc):
    backend = index_with(
        make_doc(
            id=1,
            title="Công ty Minh Long",
            body="Tái chế nhựa, tái chế giấy, tái chế kim loại; dây chuyền tái chế hiện đại.",
        ),
        make_doc(id=2, title="Công ty Tái chế Minh Long", body="Dây chuyền hiện đại."),
    )
    assert ranked_ids(backend, "tái chế") == [2, 1]


def test_abbreviation_finds_the_spelled_out_term(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, body="Thiết kế hệ thống xử lý nước thải sinh hoạt."),
        make_doc(id=2, body="Thu gom chất thải nguy hại."),
        make_doc(id=3, body="Xử lý nước rồi thải ra sông."),
    )
    assert ranked_ids(backend, "XLNT") == [1]
    assert ranked_ids(backend, "ctnh") == [2]


def test_spelled_out_term_finds_the_abbreviation(index_with, make_doc):
    backend = index_with(make_doc(id=1, keywords="XLNT; KCN Tịnh Phong"))
    assert ranked_ids(backend, "xử lý nước thải khu công nghiệp") == [1]


def test_english_query_finds_vietnamese_documents_through_synonyms(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, body="Dịch vụ nước thải công nghiệp."),
        make_doc(id=2, body="Dịch vụ khí thải lò hơi."),
    )
    assert ranked_ids(backend, "wastewater") == [1]
    assert ranked_ids(backend, "exhaust gas") == [2]


def test_everyday_words_find_the_official_terms_one_way_rules_only_one_way(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, body="Thu gom và vận chuyển chất thải rắn sinh hoạt."),
        make_doc(id=2, body="Thiết bị tách rác tinh tự động."),
        make_doc(id=3, title="Lò đốt chất thải y tế quy mô nhỏ"),
        make_doc(id=4, body="Hệ thống xử lý khí thải lò hơi."),
        make_doc(id=5, body="Viên nén nhiên liệu sinh khối."),
    )
    assert ranked_ids(backend, "rác thải") == [1]
    assert ranked_ids(backend, "lò đốt rác") == [3]
    assert ranked_ids(backend, "air pollution control") == [4]
    # One way: "rác" and "khói" also find the official terms, never the reverse.
    assert set(ranked_ids(backend, "rác")) == {1, 2}
    assert ranked_ids(backend, "chất thải rắn") == [1]
    assert 4 in ranked_ids(backend, "khói")
    assert ranked_ids(backend, "khí thải") == [4]


def test_english_fields_are_searchable(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Công ty Hải Đăng", title_en="Lighthouse Environment Co."),
        make_doc(id=2, body="Thiết bị", body_en="Supplier of membrane bioreactors for hospitals."),
    )
    assert ranked_ids(backend, "lighthouse") == [1]
    assert ranked_ids(backend, "bioreactors hospitals") == [2]


def test_every_hit_carries_its_english_title_whatever_matched(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Công ty Hải Đăng", title_en="Lighthouse Environment Co."),
        make_doc(id=2, title="Công ty Bình Minh"),
    )
    lighthouse = backend.search("hải đăng").hits[0].highlights
    assert lighthouse["title_en"] == "Lighthouse Environment Co."
    assert "<mark>" in lighthouse["title"]
    assert "title_en" not in backend.search("bình minh").hits[0].highlights


# -- writing: upsert, delete, malformed documents, atomic rebuilds, digests


def test_upsert_replaces_the_document_with_the_same_kind_and_id(index_with, make_doc):
    backend = index_with(make_doc(id=1, title="Công ty Bình Minh"))
    backend.apply([make_doc(id=1, title="Công ty Hoàng Long")])
    assert backend.search("binh minh").total == 0
    assert [h.id for h in backend.search("hoang long").hits] == [1]
    assert backend.doc_ids() == {"firm:1"}


def test_same_id_in_another_kind_is_a_different_document(index_with, make_doc):
    backend = index_with(make_doc(kind="firm", id=1, title="A"), make_doc(kind="zone", id=1))
    assert backend.doc_ids() == {"firm:1", "zone:1"}


def test_delete_removes_by_key_string_or_kind_id_pair(index_with, make_doc):
    backend = index_with(*(make_doc(id=n, title=f"Công ty số {n}") for n in (1, 2, 3)))
    backend.apply([], ["firm:1", ("firm", 2)])
    assert backend.doc_ids() == {"firm:3"}
    assert [h.id for h in backend.search("công ty").hits] == [3]


def test_upsert_and_delete_of_one_key_in_one_apply_deletes_it(index_with, make_doc):
    backend = index_with(make_doc(id=1, title="Một"))
    backend.apply([make_doc(id=1, title="Một mới"), make_doc(id=2, title="Hai")], ["firm:1"])
    assert backend.doc_ids() == {"firm:2"}


MALFORMED = [
    {"kind": "nonsense"},
    {"id": "3"},
    {"id": True},
    {"title": 42},
    {"body": b"bytes"},
    {"facets": ["ward"]},
    {"sort": {"updated": "2025-01-01", "closes": None}},
    {"sort": {"updated": None, "closes": "soon"}},
    {"stored": {"when": object()}},
]


@pytest.mark.parametrize("broken", MALFORMED, ids=lambda b: next(iter(b)))
def test_a_malformed_document_is_rejected_before_anything_is_written(index_with, make_doc, broken):
    backend = index_with(make_doc(id=1, title="Một"))
    generation = backend.generation()
    with pytest.raises(ValueError):
        backend.apply([make_doc(id=2, title="Hai"), {**make_doc(id=3), **broken}], ["firm:1"])
    assert backend.doc_ids() == {"firm:1"}
    assert backend.generation() == generation


def test_any_text_in_a_document_is_indexed_and_returned_as_given(index_with, make_doc):
    title = "Công ty \x07 <b>&</b> 😀 Ω ß İ \u0301 đặc biệt"
    backend = index_with(
        make_doc(id=1, title=title, body="tab\there", stored={"name": title, "n": [1, 2.5]})
    )
    hit = backend.search("dac biet").hits[0]
    assert hit.stored == {"name": title, "n": [1, 2.5]}
    assert backend.suggest("cong ty")[0]["title"] == title


def test_rebuild_swaps_in_a_complete_index_atomically(backend_factory, backend_name, make_doc):
    backend = backend_factory(backend_name)
    reader = backend_factory(backend_name)  # another worker of the same site
    backend.apply([make_doc(id=n, title="Cũ") for n in range(1, 4)])
    seen_during_build, progress = [], []

    def on_progress(count):
        progress.append(count)
        # Mid-build, other readers still see the old index and writers are told to wait.
        seen_during_build.append(reader.doc_ids())
        assert reader.search("cu").total == 3
        with pytest.raises(IndexLocked):
            reader.apply([make_doc(id=99)], lock_timeout=0.1)

    new_docs = [make_doc(kind="zone", id=n, title="Mới") for n in range(1, 1202)]
    assert backend.rebuild(new_docs, progress=on_progress) == 1201
    assert progress == [500, 1000, 1201]
    assert all(ids == {"firm:1", "firm:2", "firm:3"} for ids in seen_during_build)
    assert backend.doc_ids() == {f"zone:{n}" for n in range(1, 1202)}
    assert reader.doc_ids() == backend.doc_ids()
    assert reader.search("moi").total == 1201
    assert reader.search("cu").total == 0
    reader.apply([make_doc(id=99, title="Sau")])
    assert backend.search("sau").total == 1


def test_failed_rebuild_keeps_the_old_index(index_with, make_doc):
    backend = index_with(make_doc(id=1, title="Cũ"))

    def documents():
        yield make_doc(id=2, title="Mới")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(documents())
    assert backend.doc_ids() == {"firm:1"}
    assert backend.search("cu").total == 1
    backend.apply([make_doc(id=3, title="Sau")])
    assert backend.doc_ids() == {"firm:1", "firm:3"}


def test_rebuild_rejects_duplicate_keys_and_malformed_documents(index_with, make_doc):
    backend = index_with(make_doc(id=1))
    with pytest.raises(ValueError):
        backend.rebuild([make_doc(id=5), make_doc(id=5)])
    with pytest.raises(ValueError):
        backend.rebuild([make_doc(id=5), make_doc(kind="nonsense", id=6)])
    assert backend.doc_ids() == {"firm:1"}


def test_a_rebuilt_index_answers_as_one_built_by_apply(backend_factory, backend_name, make_doc):
    docs = [
        make_doc(id=1, title="Xử lý nước thải", facets={"ward": ["a"]}),
        make_doc(id=2, title="Lò đốt rác", body="nước", facets={"ward": ["b"]}),
        make_doc(kind="zone", id=3, title="Khu công nghiệp", body="nước thải"),
    ]
    built = backend_factory(backend_name)
    built.rebuild(docs)
    expected = [built.search(q, facets=["ward"]) for q in ("nuoc", "nuoc thai", "", "lo*")]
    built.apply([], [("firm", 1), ("firm", 2), ("zone", 3)])
    built.apply(docs)
    again = [built.search(q, facets=["ward"]) for q in ("nuoc", "nuoc thai", "", "lo*")]
    for first, second in zip(expected, again, strict=True):
        assert {(h.kind, h.id) for h in first.hits} == {(h.kind, h.id) for h in second.hits}
        assert (first.total, first.facet_counts, first.kind_counts) == (
            second.total,
            second.facet_counts,
            second.kind_counts,
        )


def test_digest_changes_with_content_but_not_with_key_or_facet_order(make_doc):
    doc = make_doc(id=1, title="Công ty Bình Minh", facets={"group": ["NT", "CT"]})
    reordered = dict(reversed(doc.items()), facets={"group": ["CT", "NT"]})
    assert document_digest(reordered) == document_digest(doc)
    assert document_digest({**doc, "body": "Thêm một câu"}) != document_digest(doc)
    assert document_digest({**doc, "stored": {"slug": "khac"}}) != document_digest(doc)


def test_index_keeps_the_digest_of_each_document_as_written(backend, make_doc):
    first, second = make_doc(id=1, title="Một"), make_doc(id=2, title="Hai")
    backend.rebuild([first, second])
    changed = make_doc(id=2, title="Hai đã sửa")
    backend.apply([changed])
    assert backend.digests() == {
        "firm:1": document_digest(first),
        "firm:2": document_digest(changed),
    }


def test_backends_on_one_store_see_each_others_writes(backend_factory, backend_name, make_doc):
    writer, reader = backend_factory(backend_name), backend_factory(backend_name)
    writer.apply([make_doc(id=1, title="Một")])
    before = reader.generation()
    assert reader.search("mot").total == 1
    writer.apply([make_doc(id=2, title="Một nữa")])
    assert reader.generation() != before
    assert reader.search("mot").total == 2


# -- properties: how a query is typed never changes what it finds, and nothing breaks it

SYLLABLES = [
    "xử",
    "lý",
    "nước",
    "thải",
    "thái",
    "tài",
    "khí",
    "chất",
    "rắn",
    "nguy",
    "hại",
    "tái",
    "chế",
    "quan",
    "trắc",
    "lò",
    "đốt",
    "bùn",
    "màng",
    "lọc",
    "bụi",
    "công",
    "nghiệp",
    "môi",
    "trường",
    "sinh",
    "học",
    "hóa",
    "điện",
    "mặt",
    "trời",
    "phân",
    "hữu",
    "cơ",
    "thu",
    "gom",
    "đức",
    "phổ",
    "tịnh",
    "phong",
    "bún",
    "bưn",
    "dung",
    "quất",
]
PROPERTIES = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def corpus_documents(seed: int = 7, count: int = 240) -> list[dict]:
    """Random documents over a small vocabulary, so that queries find many of them."""
    rng = random.Random(seed)

    def words(n):
        return " ".join(rng.choice(SYLLABLES) for _ in range(n))

    return [
        {
            "kind": rng.choice(["firm", "firm", "catalogue", "programme"]),
            "id": number,
            "title": words(4).title(),
            "title_en": None,
            "keywords": words(3),
            "body": words(25),
            "body_en": None,
            "facets": {"size": [rng.choice(["small", "large"])], "ward": [rng.choice("abc")]},
            "sort": {
                "updated": datetime(2024, 1, 1 + number % 28, number % 24),
                "closes": date(2026, 1 + number % 12, 1 + number % 28) if number % 3 else None,
            },
            "stored": {"n": number},
        }
        for number in range(1, count + 1)
    ]


@pytest.fixture
def corpus_backend(backend):
    backend.rebuild(corpus_documents())
    return backend


def all_ids(backend, query, **options):
    found, page = [], 1
    while True:
        result = backend.search(query, page=page, per_page=100, **options)
        found += [(hit.kind, hit.id) for hit in result.hits]
        if page * 100 >= result.total:
            assert len(found) == len(set(found)) == result.total
            return set(found)
        page += 1


queries = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=3).flatmap(
    lambda words: st.sampled_from([" ".join(words), '"' + " ".join(words) + '"'])
)


@PROPERTIES
@given(query=queries)
def test_unaccented_nfd_and_upper_case_queries_find_the_same_documents(corpus_backend, query):
    expected = all_ids(corpus_backend, query)
    assert all_ids(corpus_backend, fold(query)) == expected
    assert all_ids(corpus_backend, unicodedata.normalize("NFD", query)) == expected
    assert all_ids(corpus_backend, query.upper()) == expected


@PROPERTIES
@given(query=st.text(max_size=300))
def test_any_unicode_string_is_a_valid_query(corpus_backend, query):
    result = corpus_backend.search(query, facets=["size"], kinds=["firm"])
    assert result.total >= len(result.hits)
    corpus_backend.suggest(query)
    corpus_backend.relevance(query)


@PROPERTIES
@given(
    filters=st.dictionaries(st.text(max_size=8), st.lists(st.text(max_size=8), max_size=3)),
    kinds=st.lists(st.text(max_size=10), max_size=3),
)
def test_any_filters_and_kinds_are_valid(corpus_backend, filters, kinds):
    result = corpus_backend.search("nuoc", kinds=kinds, filters=filters, facets=list(filters))
    assert result.total >= len(result.hits)


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced quote',
        "AND OR NOT",
        "***",
        "kind:firm title:(",
        "x" * 5000,
        "nước\x00\x07thải",
        "😀 🏭 nước",
        "-",
        "- -",
        '""',
        "OR nước",
        "NOT",
        "a" * 70 + " nước",
        "'; DROP TABLE search_document; --",
        "nước:* & !thải | (",
        "\\ ' \" ::",
    ],
)
def test_awkward_queries_return_results_or_nothing(corpus_backend, query):
    result = corpus_backend.search(query)
    assert result.total >= 0
    assert corpus_backend.doc_ids()


# -- two backends, one corpus: the same documents for the same queries

PARITY_QUERIES = [
    "",
    "nước thải",
    "nuoc thai",
    "NƯỚC THẢI",
    '"nước thải"',
    '"xu ly"',
    "xử lý -bùn",
    "chất NOT rắn",
    "lò OR bùn",
    "tái chế OR quan trắc",
    "qu*",
    "t*",
    "b* lọc",
    "xlnt",
    "ctnh",
    "wastewater",
    "nuoc thia",
    "tái chê",
    "zzz",
    "xử lý nước thải công nghiệp",
    '"môi trường" sinh -học',
]
OTHER_BACKENDS = [name for name in BACKENDS if name != "whoosh"]


@pytest.fixture(params=OTHER_BACKENDS)
def two_backends(request, backend_factory):
    """Whoosh and another backend holding the same corpus."""
    docs = corpus_documents(seed=11, count=300)
    pair = backend_factory("whoosh"), backend_factory(request.param)
    for backend in pair:
        backend.rebuild(docs[:250])
        backend.apply(docs[250:], [("firm", n) for n in range(1, 20)])
    return pair


@pytest.mark.parametrize("query", PARITY_QUERIES)
def test_backends_find_the_same_documents_counts_and_suggestions(two_backends, query):
    whoosh, other = two_backends
    options = {"filters": {"ward": ["a", "b"]}, "facets": ["ward", "size"]}
    for kwargs in ({}, {"kinds": ["firm"]}, options, {**options, "kinds": ["programme"]}):
        expected, found = whoosh.search(query, **kwargs), other.search(query, **kwargs)
        assert all_ids(other, query, **kwargs) == all_ids(whoosh, query, **kwargs)
        assert found.total == expected.total
        assert found.facet_counts == expected.facet_counts
        assert found.kind_counts == expected.kind_counts
        assert found.suggestion == expected.suggestion
    assert set(other.relevance(query)) == set(whoosh.relevance(query))
    assert set(other.relevance(query, kinds=["firm"])) == set(whoosh.relevance(query, ["firm"]))


@pytest.mark.parametrize("sort", ["newest", "closing"])
@pytest.mark.parametrize("query", ["", "nuoc", "lò OR bùn"])
def test_backends_sort_by_date_in_the_same_order(two_backends, query, sort):
    whoosh, other = two_backends
    for page in (1, 2, 3):
        expected = whoosh.search(query, sort=sort, page=page, per_page=30)
        found = other.search(query, sort=sort, page=page, per_page=30)
        key = "updated" if sort == "newest" else "closes"
        assert [_sort_value(h, key) for h in found.hits] == [
            _sort_value(h, key) for h in expected.hits
        ]


def _sort_value(hit, key):
    number = hit.stored["n"]
    if key == "updated":
        return (number % 28, number % 24)
    return (1 + number % 12, 1 + number % 28) if number % 3 else None


@pytest.mark.parametrize("typed", ["cong", "nuoc th", "tai che ", "x", "quan trac", "b"])
def test_backends_complete_titles_alike(two_backends, typed):
    whoosh, other = two_backends
    expected = whoosh.suggest(typed, limit=100)
    found = other.suggest(typed, limit=100)
    assert {(s["kind"], s["id"]) for s in found} == {(s["kind"], s["id"]) for s in expected}
