"""Products: what a business lists (products, photos, certificates), what curators decide
(verify or reject a certificate, keep the list of labels), and what the public reads.

Every write checks permissions, validates the rules that hold on every path, writes the audit
trail and commits once. A product is public while its firm is published; its photos are
re-encoded like logos; a certificate counts as a label only once a curator verified it, and
not after its validity ends (worked out when it is read, see `ProductCertificate.status_on`).
"""

import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit, images
from app.authorization import authorize
from app.domain import clock
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.models import (
    CatalogueItem,
    CatalogueLevel,
    CertificateState,
    EcoLabel,
    Firm,
    FirmStatus,
    LabelKind,
    Product,
    ProductCertificate,
    ProductPhoto,
    User,
)
from app.models.base import by_name, utcnow
from app.slugs import unique_slug
from app.transaction import claim, flush, transactional

MAX_PHOTOS = 6
MAX_SPECIFICATIONS = 30
PHOTO = images.ImageRule(max_bytes=5 * 1024 * 1024, box=(1600, 1600), format="JPEG")
PRODUCT_FIELDS = (
    "name_vi",
    "name_en",
    "catalogue_item_id",
    "description_vi",
    "description_en",
    "specifications",
)
CERTIFICATE_FIELDS = ("label_id", "number", "issuer", "valid_from", "valid_until", "document_url")
LABEL_FIELDS = (
    "code",
    "name_vi",
    "name_en",
    "kind",
    "issuer",
    "basis",
    "url",
    "description_vi",
    "description_en",
    "active",
)
URL_PATTERN = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
CODE_PATTERN = re.compile(r"[A-Z0-9_]{2,40}")


def _stale() -> Conflict:
    return Conflict(
        _(
            "Someone else saved this record after you opened it. Your changes were not saved; "
            "they are still in the form below. Open the current version to compare, then save "
            "again to replace it."
        )
    )


def _snapshot(record, fields) -> dict:
    return {name: audit.plain(getattr(record, name)) for name in fields}


# Reading --------------------------------------------------------------------------------------


def get_product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound()
    return product


def get_my_product(user: User, product_id: int) -> Product:
    """A product the user manages; anything else is a 404 (never another firm's data)."""
    product = get_product(product_id)
    authorize(user, "product.manage", product)
    return product


def products_of_firm(firm: Firm) -> list[Product]:
    """All of a firm's products, for its members."""
    return list(
        db.session.scalars(
            sa.select(Product)
            .where(Product.firm_id == firm.id)
            .options(
                selectinload(Product.certificates).selectinload(ProductCertificate.label),
                selectinload(Product.photos),
            )
            .order_by(by_name(Product.name_vi), Product.id)
        )
    )


def public_products_of_firm(firm: Firm) -> list[Product]:
    if firm.status != FirmStatus.PUBLISHED:
        return []
    return [product for product in products_of_firm(firm) if product.withdrawn_at is None]


def get_public_product(slug: str) -> Product:
    product = db.session.scalar(
        sa.select(Product)
        .where(Product.slug == slug, Product.public())
        .options(
            selectinload(Product.certificates).selectinload(ProductCertificate.label),
            selectinload(Product.photos),
            selectinload(Product.firm),
            selectinload(Product.catalogue_item),
        )
    )
    if product is None:
        raise NotFound()
    return product


def public_products_for_items(item_ids: set[int], limit: int = 24) -> list[Product]:
    """Public products filed under any of `item_ids` (a catalogue node and what is below)."""
    if not item_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Product)
            .where(Product.catalogue_item_id.in_(item_ids), Product.public())
            .options(
                selectinload(Product.certificates).selectinload(ProductCertificate.label),
                selectinload(Product.firm),
                selectinload(Product.photos),
            )
            .order_by(by_name(Product.name_vi), Product.id)
            .limit(limit)
        )
    )


def labelled_condition(today: date) -> sa.ColumnElement[bool]:
    """SQL condition for certificates that count as a label on `today`."""
    return sa.and_(
        ProductCertificate.state == CertificateState.VERIFIED,
        sa.or_(ProductCertificate.valid_until.is_(None), ProductCertificate.valid_until >= today),
    )


@dataclass
class ProductFilters:
    """The products listing's filters: labelled only, and labels (by code)."""

    labelled: bool = False
    labels: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "ProductFilters":
        return cls(
            labelled=args.get("labelled") == "yes",
            labels=sorted({code for code in args.getlist("label") if CODE_PATTERN.fullmatch(code)}),
        )


@dataclass
class ProductListing:
    products: list[Product]
    total: int
    page: int
    per_page: int
    labelled_count: int  # of the products matching the label filter, those labelled
    label_counts: dict[str, int]  # per label code, of the products matching "labelled"

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _with_label(code: str, today: date) -> sa.ColumnElement[bool]:
    return Product.id.in_(
        sa.select(ProductCertificate.product_id)
        .join(EcoLabel)
        .where(EcoLabel.code == code, labelled_condition(today))
    )


def _labelled(today: date) -> sa.ColumnElement[bool]:
    return Product.id.in_(sa.select(ProductCertificate.product_id).where(labelled_condition(today)))


def list_public_products(
    filters: ProductFilters, page: int, per_page: int, today: date | None = None
) -> ProductListing:
    """Public products, by name, with the counts the facets show: a label's count is the number
    of products it would show when added to the other filters (labels combine with AND)."""
    today = today or clock.today()
    base = [Product.public()]
    by_label = [_with_label(code, today) for code in filters.labels]
    conditions = [*base, *by_label, *([_labelled(today)] if filters.labelled else [])]
    total = db.session.scalar(sa.select(sa.func.count(Product.id)).where(*conditions)) or 0
    products = list(
        db.session.scalars(
            sa.select(Product)
            .where(*conditions)
            .options(
                selectinload(Product.certificates).selectinload(ProductCertificate.label),
                selectinload(Product.firm),
                selectinload(Product.photos),
            )
            .order_by(by_name(Product.name_vi), Product.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    labelled_count = (
        db.session.scalar(
            sa.select(sa.func.count(Product.id)).where(*base, *by_label, _labelled(today))
        )
        or 0
    )
    counted = (
        sa.select(EcoLabel.code, sa.func.count(sa.distinct(Product.id)))
        .join(ProductCertificate, ProductCertificate.label_id == EcoLabel.id)
        .join(Product, Product.id == ProductCertificate.product_id)
        .where(*base, *by_label, labelled_condition(today))
        .group_by(EcoLabel.code)
    )
    label_counts = {code: count for code, count in db.session.execute(counted)}
    return ProductListing(products, total, page, per_page, labelled_count, label_counts)


def labels_by_code() -> dict[str, EcoLabel]:
    return {label.code: label for label in all_labels()}


def all_labels() -> list[EcoLabel]:
    return list(db.session.scalars(sa.select(EcoLabel).order_by(by_name(EcoLabel.name_vi))))


def active_labels() -> list[EcoLabel]:
    return [label for label in all_labels() if label.active]


def catalogue_items() -> list[CatalogueItem]:
    """The items of the catalogue a product may be filed under, in catalogue order."""
    return list(
        db.session.scalars(
            sa.select(CatalogueItem)
            .where(CatalogueItem.level == CatalogueLevel.ITEM)
            .order_by(CatalogueItem.sort_order, CatalogueItem.code)
        )
    )


# A business's products ------------------------------------------------------------------------


def _text(data: dict, name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _product_values(data: dict) -> dict:
    """The product's fields from `data`, checked; a ValidationError names each bad field."""
    errors: dict[str, list[str]] = {}
    values = {name: _text(data, name) for name in ("name_vi", "name_en")}
    values["description_vi"] = _text(data, "description_vi")
    values["description_en"] = _text(data, "description_en")
    if not values["name_vi"]:
        errors["name_vi"] = [_("Give the product's name in Vietnamese.")]
    item_id = data.get("catalogue_item_id")
    if item_id is not None:
        item = db.session.get(CatalogueItem, item_id) if isinstance(item_id, int) else None
        if item is None or item.level != CatalogueLevel.ITEM:
            errors["catalogue_item_id"] = [_("Choose an item of the catalogue from the list.")]
    values["catalogue_item_id"] = item_id
    specifications = []
    for pair in data.get("specifications") or []:
        name, value = (str(part).strip() for part in pair)
        if not name or not value:
            errors.setdefault("specifications", []).append(
                _("Each specification needs a name and a value.")
            )
            break
        if len(name) > 100 or len(value) > 300:
            errors.setdefault("specifications", []).append(
                _("A specification's name has at most 100 characters, its value 300.")
            )
            break
        specifications.append([name, value])
    if len(specifications) > MAX_SPECIFICATIONS:
        errors.setdefault("specifications", []).append(
            _("At most %(num)d specifications.", num=MAX_SPECIFICATIONS)
        )
    values["specifications"] = specifications
    if errors:
        raise ValidationError(_("Please correct the marked fields."), errors)
    return values


def new_product(firm: Firm, data: dict, sample: bool = False) -> Product:
    """A checked product of `firm`, added to the session (the seed loader's way in too)."""
    values = _product_values(data)
    product = Product(
        firm=firm,
        slug=unique_slug(Product, values["name_vi"]),
        is_sample=sample,
        **values,
    )
    db.session.add(product)
    flush()
    return product


@transactional
def create_product(actor: User, firm: Firm, data: dict) -> Product:
    authorize(actor, "product.create", firm)
    product = new_product(firm, data)
    audit.record(
        actor, "product.create", "product", product.id, after=_snapshot(product, PRODUCT_FIELDS)
    )
    return product


@transactional
def update_product(actor: User, product: Product, data: dict, version: int | None) -> None:
    authorize(actor, "product.edit", product)
    values = _product_values(data)
    claim(product, version, _stale())
    before = _snapshot(product, PRODUCT_FIELDS)
    for name, value in values.items():
        setattr(product, name, value)
    changed_before, changed_after = audit.changed_fields(before, _snapshot(product, PRODUCT_FIELDS))
    audit.record(actor, "product.update", "product", product.id, changed_before, changed_after)


@transactional
def delete_product(actor: User, product: Product, version: int | None) -> None:
    authorize(actor, "product.edit", product)
    claim(product, version, _stale())
    audit.record(
        actor,
        "product.delete",
        "product",
        product.id,
        before={**_snapshot(product, PRODUCT_FIELDS), "firm_id": product.firm_id},
    )
    db.session.delete(product)


def photo_folder() -> Path:
    """Product photos sit beside the firms' logos, in a folder of their own."""
    return Path(current_app.config["LOGO_DIR"]).parent / "product_photos"


@transactional
def add_photo(
    actor: User, product: Product, upload, alt_vi: str, alt_en: str | None = None
) -> ProductPhoto:
    """Accept an image only by its content (see `app.images`), re-encoded as JPEG."""
    authorize(actor, "product.edit", product)
    if len(product.photos) >= MAX_PHOTOS:
        message = _("A product has at most %(num)d photos.", num=MAX_PHOTOS)
        raise ValidationError(message, {"photo": message})
    alt_vi = (alt_vi or "").strip()
    if not alt_vi:
        message = _("Describe the photo for people who cannot see it.")
        raise ValidationError(message, {"alt_vi": message})
    data = images.reencode(upload, PHOTO, "photo").data
    folder = photo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = images.stored_name(f"p{product.id}", data, PHOTO)
    (folder / name).write_bytes(data)
    position = max((p.position for p in product.photos), default=-1) + 1
    photo = ProductPhoto(
        product=product,
        path=name,
        alt_vi=alt_vi,
        alt_en=(alt_en or "").strip() or None,
        position=position,
    )
    db.session.add(photo)
    flush()
    audit.record(actor, "product.photo_add", "product", product.id, after={"photo": name})
    return photo


@transactional
def remove_photo(actor: User, product: Product, photo_id: int | None) -> None:
    authorize(actor, "product.edit", product)
    photo = next((p for p in product.photos if p.id == photo_id), None)
    if photo is None:
        raise NotFound()
    product.photos.remove(photo)
    audit.record(actor, "product.photo_remove", "product", product.id, before={"photo": photo.path})


def public_photo(slug: str, photo_id: int) -> ProductPhoto:
    product = get_public_product(slug)
    photo = next((p for p in product.photos if p.id == photo_id), None)
    if photo is None:
        raise NotFound()
    return photo


# Certificates ---------------------------------------------------------------------------------


def _certificate_values(data: dict, current: ProductCertificate | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    label_id = data.get("label_id")
    label = db.session.get(EcoLabel, label_id) if isinstance(label_id, int) else None
    keeps_label = current is not None and current.label_id == label_id
    if label is None or not (label.active or keeps_label):
        errors["label_id"] = [_("Choose a label from the list.")]
    values = {name: _text(data, name) for name in ("number", "issuer", "document_url")}
    if not values["number"]:
        errors["number"] = [_("Give the certificate's number.")]
    if not values["issuer"]:
        errors["issuer"] = [_("Give the body that issued the certificate.")]
    if values["document_url"] and not URL_PATTERN.fullmatch(values["document_url"]):
        errors["document_url"] = [_("Give a web address starting with http:// or https://.")]
    valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
    if valid_from and valid_until and valid_from > valid_until:
        errors["valid_until"] = [_("The end of the validity comes after its start.")]
    if errors:
        raise ValidationError(_("Please correct the marked fields."), errors)
    return {**values, "label_id": label_id, "valid_from": valid_from, "valid_until": valid_until}


def get_my_certificate(user: User, certificate_id: int) -> ProductCertificate:
    certificate = db.session.get(ProductCertificate, certificate_id)
    if certificate is None:
        raise NotFound()
    authorize(user, "product.manage", certificate.product)
    return certificate


def new_certificate(product: Product, data: dict) -> ProductCertificate:
    """A checked certificate of `product`, pending, added to the session."""
    certificate = ProductCertificate(product=product, **_certificate_values(data))
    db.session.add(certificate)
    flush()
    return certificate


@transactional
def add_certificate(actor: User, product: Product, data: dict) -> ProductCertificate:
    """A certificate the business states; it waits for a curator before it counts."""
    authorize(actor, "product.edit", product)
    certificate = new_certificate(product, data)
    audit.record(
        actor,
        "certificate.create",
        "product_certificate",
        certificate.id,
        after={**_snapshot(certificate, CERTIFICATE_FIELDS), "product_id": product.id},
    )
    return certificate


@transactional
def update_certificate(
    actor: User, certificate: ProductCertificate, data: dict, version: int | None
) -> None:
    """Any change sends the certificate back to the curators: what they verified is no longer
    what is stated."""
    authorize(actor, "product.edit", certificate.product)
    values = _certificate_values(data, certificate)
    claim(certificate, version, _stale())
    before = _snapshot(certificate, (*CERTIFICATE_FIELDS, "state"))
    for name, value in values.items():
        setattr(certificate, name, value)
    after = _snapshot(certificate, CERTIFICATE_FIELDS)
    if {k: before[k] for k in CERTIFICATE_FIELDS} != after:
        certificate.state = CertificateState.PENDING
        certificate.review_reason = certificate.reviewed_at = certificate.reviewed_by_id = None
        certificate.expiry_noted = False
    changed_before, changed_after = audit.changed_fields(
        before, {**after, "state": str(certificate.state)}
    )
    audit.record(
        actor,
        "certificate.update",
        "product_certificate",
        certificate.id,
        changed_before,
        changed_after,
    )


@transactional
def remove_certificate(actor: User, certificate: ProductCertificate, version: int | None) -> None:
    authorize(actor, "product.edit", certificate.product)
    claim(certificate, version, _stale())
    audit.record(
        actor,
        "certificate.delete",
        "product_certificate",
        certificate.id,
        before={
            **_snapshot(certificate, (*CERTIFICATE_FIELDS, "state")),
            "product_id": certificate.product_id,
        },
    )
    db.session.delete(certificate)


# Curators: the queue of certificates ----------------------------------------------------------


def certificates_to_review(actor: User) -> list[ProductCertificate]:
    """Certificates waiting for a decision, oldest first, with their products and firms."""
    authorize(actor, "certificate.review")
    return list(
        db.session.scalars(
            sa.select(ProductCertificate)
            .where(ProductCertificate.state == CertificateState.PENDING)
            .options(
                selectinload(ProductCertificate.product).selectinload(Product.firm),
                selectinload(ProductCertificate.label),
            )
            .order_by(ProductCertificate.updated_at, ProductCertificate.id)
        )
    )


def pending_certificate_count() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(ProductCertificate.id)).where(
                ProductCertificate.state == CertificateState.PENDING
            )
        )
        or 0
    )


def certificate_for_review(actor: User, certificate_id: int) -> ProductCertificate:
    authorize(actor, "certificate.review")
    certificate = db.session.get(ProductCertificate, certificate_id)
    if certificate is None:
        raise NotFound()
    return certificate


def _decide(
    actor: User,
    certificate: ProductCertificate,
    version: int | None,
    state: CertificateState,
    reason: str | None,
) -> None:
    authorize(actor, "certificate.review")
    if certificate.state != CertificateState.PENDING:
        raise Conflict(_("This certificate was decided already; the queue shows what is left."))
    claim(certificate, version, _stale())
    certificate.state = state
    certificate.review_reason = reason
    certificate.reviewed_by_id = actor.id
    certificate.reviewed_at = utcnow()
    audit.record(
        actor,
        f"certificate.{'verify' if state == CertificateState.VERIFIED else 'reject'}",
        "product_certificate",
        certificate.id,
        before={"state": "pending"},
        after={"state": str(state), "product_id": certificate.product_id},
        reason=reason,
    )


@transactional
def verify_certificate(actor: User, certificate: ProductCertificate, version: int | None) -> None:
    _decide(actor, certificate, version, CertificateState.VERIFIED, None)


@transactional
def reject_certificate(
    actor: User, certificate: ProductCertificate, version: int | None, reason: str
) -> None:
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the certificate is rejected: the firm reads it.")
        raise ValidationError(message, {"reason": message})
    _decide(actor, certificate, version, CertificateState.REJECTED, reason)


# Curators: the list of labels -----------------------------------------------------------------


def _label_values(data: dict, current: EcoLabel | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    values = {name: _text(data, name) for name in LABEL_FIELDS if name not in ("kind", "active")}
    code = (values["code"] or "").upper()
    if not CODE_PATTERN.fullmatch(code):
        errors["code"] = [_("2 to 40 capital letters, digits or underscores.")]
    elif current is None or current.code != code:
        taken = db.session.scalar(sa.select(EcoLabel.id).where(EcoLabel.code == code))
        if taken is not None:
            errors["code"] = [_("Another label has this code.")]
    values["code"] = code
    if not values["name_vi"]:
        errors["name_vi"] = [_("Give the label's name in Vietnamese.")]
    if values["url"] and not URL_PATTERN.fullmatch(values["url"]):
        errors["url"] = [_("Give a web address starting with http:// or https://.")]
    kind = data.get("kind")
    if kind not in {k.value for k in LabelKind}:
        errors["kind"] = [_("Choose what the label certifies.")]
    values["kind"] = kind
    values["active"] = bool(data.get("active", True))
    if errors:
        raise ValidationError(_("Please correct the marked fields."), errors)
    return values


def get_label(actor: User, label_id: int) -> EcoLabel:
    authorize(actor, "label.manage")
    label = db.session.get(EcoLabel, label_id)
    if label is None:
        raise NotFound()
    return label


@transactional
def create_label(actor: User | None, data: dict) -> EcoLabel:
    """A new label; `actor` None is the seed loader (reference data, like the catalogue)."""
    if actor is not None:
        authorize(actor, "label.manage")
    values = _label_values(data)
    label = EcoLabel(**values)
    db.session.add(label)
    flush(duplicate=ValidationError(_("Another label has this code."), {"code": "taken"}))
    audit.record(actor, "label.create", "eco_label", label.id, after=_snapshot(label, LABEL_FIELDS))
    return label


@transactional
def update_label(actor: User, label: EcoLabel, data: dict, version: int | None) -> None:
    authorize(actor, "label.manage")
    values = _label_values(data, label)
    claim(label, version, _stale())
    before = _snapshot(label, LABEL_FIELDS)
    for name, value in values.items():
        setattr(label, name, value)
    changed_before, changed_after = audit.changed_fields(before, _snapshot(label, LABEL_FIELDS))
    audit.record(actor, "label.update", "eco_label", label.id, changed_before, changed_after)


# Curators: products after publication -----------------------------------------------------------

RECENT_PRODUCTS = 50


def products_to_moderate(actor: User) -> list[Product]:
    """The newest products of published firms (what the public sees first) and every withdrawn
    one, newest first."""
    authorize(actor, "product.moderate")
    published = sa.select(Firm.id).where(Firm.status == FirmStatus.PUBLISHED)
    return list(
        db.session.scalars(
            sa.select(Product)
            .where(Product.firm_id.in_(published))
            .options(selectinload(Product.firm), selectinload(Product.photos))
            .order_by(Product.withdrawn_at.is_(None), Product.created_at.desc(), Product.id.desc())
            .limit(RECENT_PRODUCTS)
        )
    )


def product_to_moderate(actor: User, product_id: int) -> Product:
    authorize(actor, "product.moderate")
    return get_product(product_id)


@transactional
def withdraw_product(actor: User, product: Product, version: int | None, reason: str) -> None:
    """Take a product off the public pages and search; the firm reads the reason."""
    authorize(actor, "product.moderate")
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the product is withdrawn: the firm reads it.")
        raise ValidationError(message, {"reason": message})
    if product.withdrawn_at is not None:
        raise Conflict(_("This product was withdrawn already."))
    claim(product, version, _stale())
    product.withdrawn_at = utcnow()
    product.withdrawn_reason = reason
    audit.record(
        actor, "product.withdraw", "product", product.id, after={"withdrawn": True}, reason=reason
    )


@transactional
def restore_product(actor: User, product: Product, version: int | None) -> None:
    authorize(actor, "product.moderate")
    if product.withdrawn_at is None:
        raise Conflict(_("This product is public already."))
    claim(product, version, _stale())
    product.withdrawn_at = product.withdrawn_reason = None
    audit.record(actor, "product.restore", "product", product.id, after={"withdrawn": False})
