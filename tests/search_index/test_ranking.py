"""Relevance: accents typed, adjacency, field boosts, synonyms and English text."""


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


def test_adjacent_syllables_rank_above_scattered_ones(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Công ty An Phát", body="Nước sạch cho dân, thải bỏ rác đúng hạn."),
        make_doc(id=2, title="Công ty An Phát", body="Xử lý nước thải cho dân, bỏ rác đúng hạn."),
    )
    assert ranked_ids(backend, "nước thải") == [2, 1]
    assert ranked_ids(backend, "nuoc thai") == [2, 1]


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


def test_english_fields_are_searchable(index_with, make_doc):
    backend = index_with(
        make_doc(id=1, title="Công ty Hải Đăng", title_en="Lighthouse Environment Co."),
        make_doc(id=2, body="Thiết bị", body_en="Supplier of membrane bioreactors for hospitals."),
    )
    assert ranked_ids(backend, "lighthouse") == [1]
    assert ranked_ids(backend, "bioreactors hospitals") == [2]
