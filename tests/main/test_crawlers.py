"""What search engines get: a description of each public page, robots.txt keeping them out of
private areas, and a sitemap of every public page on SITE_URL, split past its size limit."""

import re
from xml.etree import ElementTree

import sqlalchemy as sa
from markupsafe import escape

import config
from app.extensions import db
from app.models import (
    Article,
    CatalogueItem,
    Event,
    Firm,
    FirmStatus,
    Incubator,
    MarketListing,
    Product,
    Programme,
    Zone,
)
from app.models.base import utcnow
from tests.conftest import make_app

SITE_URL = config.TestConfig.SITE_URL
FOREIGN_HOST = {"Host": "evil.example"}
SITEMAPS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NS = {"s": SITEMAPS}


def _description(html: str) -> str:
    [content] = re.findall(r'<meta name="description" content="([^"]*)">', html)
    return content


def _urls(client, path: str) -> dict[str, str | None]:
    response = client.get(path, headers=FOREIGN_HOST)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.get_data())
    assert root.tag == f"{{{SITEMAPS}}}urlset"
    return {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }


def _public_paths() -> set[str]:
    paths = {
        f"/firms/{slug}"
        for slug in db.session.scalars(sa.select(Firm.slug).where(Firm.status == "published"))
    }
    paths |= {f"/catalogue/{code}" for code in db.session.scalars(sa.select(CatalogueItem.code))}
    paths |= {
        f"/programmes/{slug}"
        for slug in db.session.scalars(sa.select(Programme.slug).where(Programme.public()))
    }
    paths |= {
        f"/zones/{slug}" for slug in db.session.scalars(sa.select(Zone.slug).where(Zone.public()))
    }
    paths |= {f"/incubators/{slug}" for slug in db.session.scalars(sa.select(Incubator.slug))}
    paths |= {
        f"/events/{slug}"
        for slug in db.session.scalars(sa.select(Event.slug).where(Event.public()))
    }
    paths |= {
        f"/news/{slug}"
        for slug in db.session.scalars(sa.select(Article.slug).where(Article.visible_at(utcnow())))
    }
    paths |= {
        f"/products/{slug}"
        for slug in db.session.scalars(sa.select(Product.slug).where(Product.public()))
    }
    live = sa.select(MarketListing.id).where(MarketListing.live(utcnow()))
    paths |= {"/marketplace"} | {f"/marketplace/{i}" for i in db.session.scalars(live)}
    return (
        paths
        | {"/", "/firms", "/catalogue", "/programmes", "/zones", "/incubators", "/events", "/news"}
        | {"/products"}
        | {
            "/about",
            "/contact",
            "/help",
            "/privacy",
            "/statistics",
            "/open-data",
            "/places/old-address",
            "/api/docs",
        }
    )


def test_record_pages_describe_themselves_and_others_have_the_sites_description(client):
    firm = db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )
    firm.description_vi = "Chuyên   xử lý\nnước thải " + "công nghiệp " * 30
    db.session.commit()

    described = _description(client.get(f"/firms/{firm.slug}").get_data(as_text=True))
    default = _description(client.get("/firms").get_data(as_text=True))

    assert described.startswith("Chuyên xử lý nước thải công nghiệp")
    assert len(described) <= 161 and described.endswith("…")
    assert default and default != described
    assert _description(client.get("/catalogue").get_data(as_text=True)) == default


def test_a_record_without_a_description_is_described_by_its_name(client):
    firm = db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )
    firm.description_vi = firm.description_en = None
    firm.trade_name = 'Môi trường "Xanh" & Sạch'
    db.session.commit()
    pages = [f"/firms/{firm.slug}"]
    pages.append("/programmes/" + db.session.scalar(sa.select(Programme.slug).limit(1)))
    pages.append("/zones/" + db.session.scalar(sa.select(Zone.slug).where(Zone.public()).limit(1)))
    pages.append("/catalogue/" + db.session.scalar(sa.select(CatalogueItem.code).limit(1)))
    default = _description(client.get("/").get_data(as_text=True))

    descriptions = [_description(client.get(page).get_data(as_text=True)) for page in pages]

    assert str(escape('Môi trường "Xanh" & Sạch')) in descriptions[0]
    assert all(description != default for description in descriptions)


def test_robots_txt_keeps_crawlers_out_of_private_areas_and_names_the_sitemap(client):
    response = client.get("/robots.txt", headers=FOREIGN_HOST)

    lines = response.get_data(as_text=True).splitlines()
    assert response.mimetype == "text/plain"
    for path in ("/account", "/my/", "/investor", "/curation/", "/login", "/register"):
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in lines
    assert not any(line == "Disallow: /" or "evil.example" in line for line in lines)


def test_sitemap_lists_every_public_page_on_the_site_address_with_its_last_change(client):
    draft = db.session.scalar(sa.select(Firm).where(Firm.status != FirmStatus.PUBLISHED))

    urls = _urls(client, "/sitemap.xml")

    assert all(url.startswith(SITE_URL + "/") for url in urls)
    assert {url.removeprefix(SITE_URL) for url in urls} == _public_paths()
    assert f"{SITE_URL}/firms/{draft.slug}" not in urls
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lastmod) for lastmod in urls.values()
    )


def test_a_sitemap_over_its_limit_becomes_an_index_of_bounded_files(
    tmp_path, new_database, seeded_database
):
    app = make_app(tmp_path, new_database(seeded_database.database), SITEMAP_URLS_PER_FILE=40)
    client = app.test_client()
    with app.app_context():
        everything = _public_paths()

    response = client.get("/sitemap.xml", headers=FOREIGN_HOST)

    root = ElementTree.fromstring(response.get_data())
    assert root.tag == f"{{{SITEMAPS}}}sitemapindex"
    files = [loc.text for loc in root.findall("s:sitemap/s:loc", NS)]
    assert files[0] == f"{SITE_URL}/sitemap-1.xml" and len(files) > 1
    listed = []
    for address in files:
        urls = _urls(client, address.removeprefix(SITE_URL))
        assert len(urls) <= 40
        listed += [url.removeprefix(SITE_URL) for url in urls]
    assert sorted(listed) == sorted(everything)
    assert client.get(f"/sitemap-{len(files) + 1}.xml").status_code == 404


def test_a_small_sitemap_has_no_numbered_files(client):
    assert client.get("/sitemap-1.xml").status_code == 404
