"""Property tests: how a query is typed never changes what it finds, and nothing breaks it."""

import random
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search_index import WhooshBackend, fold

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
SETTINGS = settings(max_examples=50, deadline=None)


@pytest.fixture(scope="module")
def corpus_backend(tmp_path_factory, synonyms):
    rng = random.Random(7)
    backend = WhooshBackend(tmp_path_factory.mktemp("props") / "index", synonyms=synonyms)
    docs = []
    for number in range(1, 241):
        words = lambda n: " ".join(rng.choice(SYLLABLES) for _ in range(n))  # noqa: E731
        docs.append(
            {
                "kind": rng.choice(["firm", "firm", "catalogue", "programme"]),
                "id": number,
                "title": words(4).title(),
                "title_en": None,
                "keywords": words(3),
                "body": words(25),
                "body_en": None,
                "facets": {"size": [rng.choice(["small", "large"])]},
                "sort": {"updated": None, "closes": None},
                "stored": {},
            }
        )
    backend.rebuild(docs)
    yield backend
    backend.close()


def all_ids(backend, query):
    found, page = set(), 1
    while True:
        result = backend.search(query, page=page, per_page=100)
        found |= {(hit.kind, hit.id) for hit in result.hits}
        if page * 100 >= result.total:
            assert len(found) == result.total
            return found
        page += 1


queries = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=3).flatmap(
    lambda words: st.sampled_from([" ".join(words), '"' + " ".join(words) + '"'])
)


@SETTINGS
@given(query=queries)
def test_unaccented_nfd_and_upper_case_queries_find_the_same_documents(corpus_backend, query):
    expected = all_ids(corpus_backend, query)
    assert all_ids(corpus_backend, fold(query)) == expected
    assert all_ids(corpus_backend, unicodedata.normalize("NFD", query)) == expected
    assert all_ids(corpus_backend, query.upper()) == expected


@SETTINGS
@given(query=st.text(max_size=300))
def test_any_unicode_string_is_a_valid_query(corpus_backend, query):
    result = corpus_backend.search(query, facets=["size"], kinds=["firm"])
    assert result.total >= len(result.hits)
    corpus_backend.suggest(query)


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
    ],
)
def test_awkward_queries_return_results_or_nothing(corpus_backend, query):
    result = corpus_backend.search(query)
    assert result.total >= 0
