"""Government agencies that own programmes and zones and employ curators."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import VersionMixin


class Agency(VersionMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    website: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    # The heading and signature of the documents it issues (Decree 30/2020/NĐ-CP, Appendix I).
    superior_name: Mapped[str | None] = mapped_column(sa.String(200))
    abbreviation: Mapped[str | None] = mapped_column(sa.String(20))
    place_name: Mapped[str | None] = mapped_column(sa.String(100))
    signer_position: Mapped[str | None] = mapped_column(sa.String(200))
    signer_name: Mapped[str | None] = mapped_column(sa.String(200))
    recipients: Mapped[str | None] = mapped_column(sa.Text)  # one per line

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"
