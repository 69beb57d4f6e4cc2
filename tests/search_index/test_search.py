"""Search results: facets, kinds, sorting, pagination, highlights, suggestions, caching."""

from datetime import date, datetime

import pytest


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


def test_suggest_completes_the_last_word_without_accents(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Công ty Môi trường Xanh", stored={"slug": "x"}),
        make_doc(id=2, title="Công ty Môi giới Nhà đất"),
        make_doc(kind="zone", id=3, title="Khu công nghiệp Tịnh Phong"),
    )
    assert [s["id"] for s in backend.suggest("cong ty moi tr")] == [1]
    assert backend.suggest("cong ty moi tr")[0] == {
        "kind": "firm",
        "id": 1,
        "title": "Công ty Môi trường Xanh",
        "stored": {"slug": "x"},
    }
    assert {s["id"] for s in backend.suggest("moi")} == {1, 2}
    assert [s["kind"] for s in backend.suggest("tinh ph", kinds=["zone"])] == ["zone"]
    assert backend.suggest("tinh ph", kinds=["firm"]) == []


def test_result_cache_serves_repeats_and_never_outlives_a_change(index_with, make_doc):
    backend = index_with(make_doc(id=1, title="Công ty A"))
    first = backend.search("cong ty")
    assert backend.search("cong ty") is first
    backend.apply([make_doc(id=2, title="Công ty B")])
    assert backend.search("cong ty").total == 2


def test_cache_can_be_turned_off(tmp_path, make_doc):
    from search_index import WhooshBackend

    backend = WhooshBackend(tmp_path / "ix", cache=False)
    try:
        backend.apply([make_doc(id=1, title="A")])
        assert backend.search("a") is not backend.search("a")
        assert backend.search("a") == backend.search("a")
    finally:
        backend.close()


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
