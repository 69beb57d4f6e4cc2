"""The DCAT catalogue (JSON-LD) names every dataset and distribution on the site's address,
and the open-data page carries it and is linked from every page."""

import json
import re

import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from app.opendata.datasets import DATASETS, FORMATS

SITE_URL = "http://cnmt.test"
FOREIGN_HOST = {"Host": "evil.example"}


def _addresses(node) -> list[str]:
    """Every address (@id) in a JSON-LD tree."""
    if isinstance(node, dict):
        found = [node["@id"]] if isinstance(node.get("@id"), str) else []
        return found + [a for value in node.values() for a in _addresses(value)]
    if isinstance(node, list):
        return [a for value in node for a in _addresses(value)]
    return []


def test_the_catalogue_names_every_dataset_and_distribution(client):
    response = client.get("/open-data/catalog.jsonld", headers=FOREIGN_HOST)

    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    catalog = json.loads(response.get_data())
    assert catalog["@type"] == "dcat:Catalog"
    assert catalog["dct:publisher"]["foaf:name"] == "Sở Công Thương Quảng Ngãi"
    datasets = {dataset["dct:identifier"]: dataset for dataset in catalog["dcat:dataset"]}
    assert datasets.keys() == DATASETS.keys()
    for slug, dataset in datasets.items():
        assert dataset["@type"] == "dcat:Dataset"
        assert dataset["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
        assert {title["@language"] for title in dataset["dct:title"]} == {"vi", "en"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", dataset["dct:modified"]["@value"])
        downloads = {d["dcat:downloadURL"]["@id"]: d for d in dataset["dcat:distribution"]}
        assert downloads.keys() == {f"{SITE_URL}/open-data/{slug}.{fmt}" for fmt in FORMATS}
        for address, distribution in downloads.items():
            assert distribution["@type"] == "dcat:Distribution"
            assert distribution["dcat:mediaType"]["@id"].startswith(
                "https://www.iana.org/assignments/media-types/"
            )
            assert distribution["dct:license"] == dataset["dct:license"]
            path = address.removeprefix(SITE_URL)
            assert client.get(path).status_code == 200, path


def test_every_address_in_the_catalogue_is_on_the_site_address(client):
    catalog = json.loads(client.get("/open-data/catalog.jsonld", headers=FOREIGN_HOST).data)

    own = [a for a in _addresses(catalog) if "cnmt.test" in a or "evil" in a]
    assert own and all(address.startswith(SITE_URL + "/") for address in own)


def test_the_open_data_page_embeds_the_catalogue_and_links_it(client):
    html = client.get("/open-data", headers=FOREIGN_HOST).get_data(as_text=True)

    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(embedded.group(1)) == json.loads(client.get("/open-data/catalog.jsonld").data)
    assert (
        '<link rel="alternate" type="application/ld+json" href="/open-data/catalog.jsonld"' in html
    )
    assert "evil.example" not in html


def test_every_page_links_to_the_open_data_page_from_its_footer(client):
    html = client.get("/about").get_data(as_text=True)

    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/open-data"' in footer


def test_the_sitemap_lists_the_open_data_page_with_its_last_change(client):
    xml = client.get("/sitemap.xml").get_data(as_text=True)

    entry = re.search(r"<loc>http://cnmt\.test/open-data</loc>\s*<lastmod>([^<]+)</lastmod>", xml)
    assert entry is not None


# rdflib's own JSON-LD parser still builds a ConjunctiveGraph.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_the_catalogue_reads_as_rdf_the_way_a_harvester_reads_it(client):
    graph = rdflib.Graph().parse(
        data=client.get("/open-data/catalog.jsonld").data, format="json-ld"
    )

    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    datasets = set(graph.objects(catalogs[0], DCAT.dataset))
    assert len(catalogs) == 1 and len(datasets) == len(DATASETS)
    for dataset in datasets:
        assert (dataset, RDF.type, DCAT.Dataset) in graph
        assert graph.value(dataset, DCTERMS.publisher) is not None
        assert {title.language for title in graph.objects(dataset, DCTERMS.title)} == {"vi", "en"}
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert len(distributions) == len(FORMATS)
        for distribution in distributions:
            address = str(graph.value(distribution, DCAT.downloadURL))
            assert address.startswith(
                f"{SITE_URL}/open-data/{graph.value(dataset, DCTERMS.identifier)}."
            )
            assert graph.value(distribution, DCAT.mediaType) is not None
            assert str(graph.value(distribution, DCTERMS.license)).startswith("https://")
            assert graph.value(distribution, DCTERMS.modified).datatype == XSD.dateTime
