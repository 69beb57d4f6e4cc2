"""The one way to authorize: each area's permissions.py registers its named actions with their
predicates; services enforce them with `authorize`, templates ask `can` to hide links."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.errors import DomainError, Forbidden, NotFound, VerificationRequired


@dataclass(frozen=True)
class Action:
    name: str
    rule: Callable[..., bool]  # rule(user) or rule(user, obj); the user is signed in and active
    on: tuple[type, ...] = ()  # the kinds of record the action is on (none: no record)
    verified: bool = False  # also needs a confirmed e-mail address
    message: Any = None  # what a refusal says (a lazy string); None: the generic text
    conceal: Callable[[Any], bool] | bool = False  # refuse as not found (for this record)

    def refusal(self, obj) -> DomainError:
        conceal = self.conceal(obj) if callable(self.conceal) else self.conceal
        if conceal:
            return NotFound()
        return Forbidden(str(self.message)) if self.message else Forbidden()


_actions: dict[str, Action] = {}


def register(
    name: str,
    rule: Callable[..., bool],
    *,
    on: type | tuple[type, ...] = (),
    verified: bool = False,
    message: Any = None,
    conceal: Callable[[Any], bool] | bool = False,
) -> None:
    """Make `name` an action: allowed when `rule` holds for a signed-in, active account (and,
    if `verified`, one whose e-mail address is confirmed: anyone can sign up with any address,
    so until its owner has proved it, the account may not list, claim, introduce or mail)."""
    if name in _actions:
        raise ValueError(f"The action {name!r} is registered twice.")
    kinds = on if isinstance(on, tuple) else (on,)
    _actions[name] = Action(name, rule, kinds, verified, message, conceal)


def actions() -> dict[str, Action]:
    return dict(_actions)


def _action(name: str, obj) -> Action:
    action = _actions.get(name)
    if action is None:
        raise LookupError(f"No action {name!r} is registered.")
    if (obj is None) != (not action.on) or (obj is not None and not isinstance(obj, action.on)):
        raise TypeError(f"{name!r} is on {action.on or 'no record'}, not on {obj!r}.")
    return action


def _signed_in(actor) -> bool:
    # A deactivated account may do nothing, whatever its role or memberships.
    return actor is not None and actor.is_authenticated and actor.active


def _rule_holds(action: Action, actor, obj) -> bool:
    return _signed_in(actor) and (action.rule(actor, obj) if action.on else action.rule(actor))


def can(actor, name: str, obj=None) -> bool:
    """Whether `actor` may do the action `name` (on `obj`)."""
    action = _action(name, obj)
    return _rule_holds(action, actor, obj) and (
        not action.verified or actor.email_verified_at is not None
    )


def authorize(actor, name: str, obj=None) -> None:
    """Raise unless `actor` may do the action `name` (on `obj`): VerificationRequired when a
    confirmed address is all that is missing, else Forbidden (NotFound where the action
    conceals the record from those who may not act on it)."""
    action = _action(name, obj)
    if not _rule_holds(action, actor, obj):
        raise action.refusal(obj)
    if action.verified and actor.email_verified_at is None:
        raise VerificationRequired(actor.email)


def anyone(user) -> bool:
    """Every signed-in, active account."""
    return True
