"""Shared steps for the news tests: an article's data, a published firm to tag, images."""

import io

import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.models import Article, Firm, FirmStatus
from app.news import service


def published_firm() -> Firm:
    return db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )


def article_data(**changes) -> dict:
    data = {
        "kind": "story",
        "title_vi": "Xử lý nước thải chế biến thủy sản thành công",
        "title_en": "Seafood wastewater treated at last",
        "summary_vi": "Một doanh nghiệp ở Quảng Ngãi giảm 80% chi phí xử lý nước thải.",
        "summary_en": "A Quảng Ngãi firm cut its wastewater costs by 80%.",
        "body_vi": "## Bối cảnh\n\n- Công suất 200 m³/ngày\n- Công nghệ sinh học\n",
        "body_en": "## Background\n\n- 200 m³ a day\n",
        "firm_slugs": "",
        "item_codes": "",
        "programme_slugs": "",
        "zone_slugs": "",
    }
    data.update(changes)
    return data


def new_article(actor, **changes) -> Article:
    return service.create_article(actor, article_data(**changes))


def published_article(actor, **changes) -> Article:
    article = new_article(actor, **changes)
    return service.change_article_state(actor, article.id, "publish", article.version)


def png_upload(size=(40, 30)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, format="PNG")
    buffer.seek(0)
    return buffer
