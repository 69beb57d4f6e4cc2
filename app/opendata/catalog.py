"""The open datasets described in DCAT (DCAT-AP style) as JSON-LD, for open-data portals to
harvest (CKAN's ckanext-dcat reads it): a dcat:Catalog of dcat:Datasets, each with its CSV and
JSON dcat:Distributions. Every address is on SITE_URL (app/urls.py), never the request's host;
titles and descriptions in Vietnamese and English, so the catalogue is the same in both."""

from datetime import datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.opendata.datasets import DATASETS, FORMATS, MEDIA_TYPES, PUBLISHER, Dataset, licence
from app.urls import public_url

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
# The EU vocabularies' language authority, which DCAT-AP uses.
LANGUAGES = {
    "vi": "http://publications.europa.eu/resource/authority/language/VIE",
    "en": "http://publications.europa.eu/resource/authority/language/ENG",
}
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
TITLE = _l("Open data of the Quảng Ngãi environmental-industry directory")
DESCRIPTION = _l(
    "The public records of the directory run by Sở Công Thương Quảng Ngãi: firms, the Decision "
    "980 catalogue, support programmes, zones and clusters, incubators, as CSV and JSON."
)


def _both_languages(text) -> list[dict]:
    """A lazy translated string as one literal per language."""
    texts = []
    for language in LANGUAGES:
        with force_locale(language):
            texts.append({"@value": str(text), "@language": language})
    return texts


def _moment(value: datetime | None) -> dict | None:
    if value is None:
        return None
    return {"@value": value.strftime("%Y-%m-%dT%H:%M:%SZ"), "@type": "xsd:dateTime"}


def _without_empty(node: dict) -> dict:
    return {key: value for key, value in node.items() if value is not None}


def _distribution(dataset: Dataset, fmt: str, modified, licence_url: str) -> dict:
    address = public_url("opendata.download", slug=dataset.slug, fmt=fmt)
    return _without_empty(
        {
            "@id": address,
            "@type": "dcat:Distribution",
            "dct:title": f"{dataset.slug}.{fmt}",
            "dcat:downloadURL": {"@id": address},
            "dcat:accessURL": {"@id": address},
            "dcat:mediaType": {"@id": IANA_MEDIA_TYPES + MEDIA_TYPES[fmt]},
            "dct:format": fmt.upper(),
            "dct:license": {"@id": licence_url},
            "dct:modified": modified,
            "foaf:page": {"@id": _landing_page(dataset)},
        }
    )


def _landing_page(dataset: Dataset) -> str:
    return f"{public_url('opendata.index')}#{dataset.slug}"


def catalog() -> dict:
    """The catalogue as a JSON-LD document (a dict ready for json.dumps)."""
    _name, licence_url = licence()
    publisher_id = f"{public_url('main.home')}#publisher"
    languages = [{"@id": address} for address in LANGUAGES.values()]
    datasets, newest = [], []
    for dataset in DATASETS.values():
        changed = dataset.modified()
        newest.append(changed)
        modified = _moment(changed)
        datasets.append(
            _without_empty(
                {
                    "@id": _landing_page(dataset),
                    "@type": "dcat:Dataset",
                    "dct:identifier": dataset.slug,
                    "dct:title": _both_languages(dataset.title),
                    "dct:description": _both_languages(dataset.description),
                    "dct:publisher": {"@id": publisher_id},
                    "dct:language": languages,
                    "dct:license": {"@id": licence_url},
                    "dct:modified": modified,
                    "dcat:landingPage": {"@id": _landing_page(dataset)},
                    "dcat:distribution": [
                        _distribution(dataset, fmt, modified, licence_url) for fmt in FORMATS
                    ],
                }
            )
        )
    return _without_empty(
        {
            "@context": CONTEXT,
            "@id": public_url("opendata.catalog_jsonld"),
            "@type": "dcat:Catalog",
            "dct:title": _both_languages(TITLE),
            "dct:description": _both_languages(DESCRIPTION),
            "dct:publisher": {
                "@id": publisher_id,
                "@type": "foaf:Organization",
                "foaf:name": PUBLISHER,
            },
            "dct:language": languages,
            "dct:license": {"@id": licence_url},
            "dct:modified": _moment(max((c for c in newest if c), default=None)),
            "foaf:homepage": {"@id": public_url("opendata.index")},
            "dcat:dataset": datasets,
        }
    )
