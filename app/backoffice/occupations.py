"""The occupations of the workforce needs, as curators see and tidy them: every occupation with
the spellings firms typed for it, and merging two occupations into one (all years' returns)."""

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from app import audit
from app.authorization import authorize
from app.domain.occupations import occupation_key, usual_spellings
from app.extensions import db
from app.models import ReportingYear, User, WorkforceNeed, YearlyReturn
from app.rules import Problems
from app.transaction import transactional


@dataclass
class Occupation:
    """One occupation: its key, the spelling shown, every spelling typed, needs and people."""

    key: str
    name: str
    spellings: list[str] = field(default_factory=list)
    needs: int = 0
    people: int = 0


def _occupations() -> dict[str, Occupation]:
    rows = db.session.execute(
        sa.select(
            WorkforceNeed.occupation, sa.func.count(), sa.func.sum(WorkforceNeed.number_needed)
        ).group_by(WorkforceNeed.occupation)
    ).all()
    usual = usual_spellings((spelling, needs) for spelling, needs, _people in rows)
    found: dict[str, Occupation] = {}
    for spelling, needs, people in rows:
        key = occupation_key(spelling)
        occupation = found.setdefault(key, Occupation(key, usual[key]))
        occupation.spellings.append(spelling)
        occupation.needs += needs
        occupation.people += int(people)
    return found


def list_occupations(actor: User | None) -> list[Occupation]:
    authorize(actor, "workforce.merge_occupations")
    return sorted(_occupations().values(), key=lambda occupation: occupation.key)


@transactional
def merge_occupations(actor: User | None, source: str | None, target: str | None) -> int:
    """Merge the occupation `source` into `target` (both keys): every need of either is written
    with the spelling `target` shows. Returns the number of needs rewritten; audited per
    reporting year whose returns changed."""
    authorize(actor, "workforce.merge_occupations")
    occupations = _occupations()
    problems = Problems()
    if source not in occupations:
        problems.add("source", _("Choose an occupation from the list."))
    if target not in occupations:
        problems.add("target", _("Choose an occupation from the list."))
    elif source == target:
        problems.add("target", _("Choose a different occupation to merge into."))
    problems.refuse()
    merged, into = occupations[source], occupations[target]
    spellings = [s for s in (*merged.spellings, *into.spellings) if s != into.name]
    changed = db.session.execute(
        sa.select(ReportingYear.id, WorkforceNeed.id)
        .join(YearlyReturn, YearlyReturn.reporting_year_id == ReportingYear.id)
        .join(WorkforceNeed, WorkforceNeed.yearly_return_id == YearlyReturn.id)
        .where(WorkforceNeed.occupation.in_(spellings))
    ).all()
    db.session.execute(
        sa.update(WorkforceNeed)
        .where(WorkforceNeed.occupation.in_(spellings))
        .values(occupation=into.name)
    )
    needs_per_year: dict[int, int] = defaultdict(int)
    for year_id, _need_id in changed:
        needs_per_year[year_id] += 1
    for year_id, needs in needs_per_year.items():
        audit.record(
            actor,
            "workforce.occupations_merged",
            "reporting_year",
            year_id,
            before={"occupations": spellings},
            after={"occupation": into.name, "needs": needs},
        )
    return len(changed)
