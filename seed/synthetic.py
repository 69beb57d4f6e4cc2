"""Deterministic synthetic firms for scale work: `flask seed --synthetic N --random-seed S`.

The same N and seed always give the same firms (tax codes included), so a second run adds nothing.
"""

import random
from pathlib import Path

import sqlalchemy as sa
from stdnum.vn import mst

from app.domain.places import wards_of_province
from app.extensions import db
from app.models import CatalogueItem, CatalogueLevel, IndustryCode, Zone
from seed.loader import SeedReport, add_firms

SEED_DIR = Path(__file__).resolve().parent

# The legal form in the name, and the kind of unit it is.
PREFIXES = [
    ("Công ty TNHH", "llc_multi_member"),
    ("Công ty Cổ phần", "joint_stock"),
    ("Công ty TNHH MTV", "llc_one_member"),
    ("Hợp tác xã", "cooperative"),
    ("Doanh nghiệp tư nhân", "private_enterprise"),
]
THEMES = [
    ("Môi trường", "xử lý nước thải và khí thải cho nhà máy"),
    ("Công nghệ Xanh", "thiết kế, chế tạo hệ thống xử lý nước thải công nghiệp"),
    ("Tái chế", "thu gom và tái chế nhựa, giấy, kim loại phế liệu"),
    ("Quan trắc", "lắp đặt trạm quan trắc nước thải và khí thải tự động, liên tục"),
    ("Năng lượng Sạch", "thu hồi khí sinh học và phát điện từ chất thải"),
    ("Xử lý Chất thải", "thu gom, vận chuyển và xử lý chất thải rắn, chất thải nguy hại"),
    ("Kỹ thuật Nước", "cung cấp màng lọc UF/RO, hóa chất keo tụ và vi sinh xử lý nước"),
    ("Cơ khí Môi trường", "chế tạo lọc bụi túi vải, cyclone và tháp hấp thụ khí thải"),
]
PLACES = [
    "Trà Khúc",
    "Sông Vệ",
    "Thiên Ấn",
    "Dung Quất",
    "Sa Huỳnh",
    "Ba Tơ",
    "Lý Sơn",
    "Đăk Tô",
    "Măng Đen",
    "Kon Tum",
    "Mộ Đức",
    "Đức Phổ",
    "Bình Sơn",
    "Sơn Tịnh",
    "Tư Nghĩa",
    "Minh Long",
]
NAMES = [
    "Phú Thịnh",
    "An Khang",
    "Hưng Phát",
    "Thành Đạt",
    "Việt Xanh",
    "Đại Dương",
    "Hòa Bình",
    "Tân Tiến",
    "Minh Quang",
    "Phước Lộc",
    "Trường Sơn",
    "Bảo An",
    "Hải Âu",
    "Thái Bình",
]
VSIC = ["3700", "3811", "3812", "3821", "3822", "3830", "3900", "2829", "3320", "7110", "7120"]


def _tax_code(rng: random.Random, taken: set[str]) -> str:
    while True:
        prefix = f"{rng.randint(40, 61):02d}{rng.randrange(10**7):07d}"
        try:
            code = prefix + mst.calc_check_digit(prefix)
        except ValueError:
            continue
        if mst.is_valid(code) and code not in taken:
            taken.add(code)
            return code


def synthetic_firm_records(count: int, random_seed: int) -> list[dict]:
    rng = random.Random(random_seed)
    items = sorted(
        db.session.scalars(
            sa.select(CatalogueItem.code).where(CatalogueItem.level == CatalogueLevel.ITEM)
        )
    )
    zones = sorted(db.session.scalars(sa.select(Zone.slug)))
    versions = set(
        db.session.scalars(sa.select(IndustryCode.code).where(IndustryCode.version == "2025"))
    )
    vsic = [code for code in VSIC if code in versions]
    wards = [code for code, _ in wards_of_province()]
    taken: set[str] = set()
    records = []
    for number in range(1, count + 1):
        theme, activity = rng.choice(THEMES)
        place, name = rng.choice(PLACES), rng.choice(NAMES)
        employees = rng.choice([5, 8, 25, 60, 90, 150, 180, 350])
        revenue = rng.choice([2, 8, 40, 90, 180, 250, 600]) * 10**9
        offers = rng.sample(items, k=rng.randint(1, 4))
        seeking = rng.random() < 0.33
        tax_code = _tax_code(rng, taken)
        prefix, kind = rng.choice(PREFIXES)
        records.append(
            {
                "tax_code": tax_code,
                "legal_name": f"{prefix} {theme} {name} {place} (mẫu tổng hợp {number})",
                "enterprise_type": kind,
                "founded_year": rng.randint(1995, 2025),
                "sector_group": rng.choice(["agri_industry", "agri_industry", "trade_services"]),
                "insured_employees": employees,
                "revenue_vnd": revenue,
                "capital_vnd": revenue // rng.randint(2, 5),
                "size_year": 2025,
                "address_line": f"Số {rng.randint(1, 400)} đường {rng.choice(NAMES)}",
                "ward_code": rng.choice(wards),
                "zone": rng.choice(zones) if zones and rng.random() < 0.3 else None,
                "description_vi": (
                    f"Doanh nghiệp tại {place} chuyên {activity}. "
                    f"Phục vụ khách hàng trong và ngoài tỉnh Quảng Ngãi."
                ),
                "seeking_investment": seeking,
                "investment_types": [rng.choice(["equity", "loan", "joint_venture"])]
                if seeking
                else [],
                "status": "published",
                "verified": rng.random() < 0.5,
                "industry_codes": [{"code": rng.choice(vsic), "version": "2025", "primary": True}]
                if vsic
                else [],
                "offers": [{"item": code} for code in offers],
            }
        )
    return records


def add_synthetic_firms(count: int, random_seed: int, progress=None) -> SeedReport:
    records = synthetic_firm_records(count, random_seed)
    return add_firms(records, SEED_DIR, label="synthetic firms", progress=progress)
