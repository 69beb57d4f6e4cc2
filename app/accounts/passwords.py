"""The password policy: long enough, not the account's e-mail address, and hard to guess.

Guessability is zxcvbn's estimate (score 0–4), with the account's e-mail address and name as
personal words and common Vietnamese passwords (seed/common_passwords_vi.txt) added to its
dictionaries; a password with diacritics is also judged without them, as people often type it.
zxcvbn explains itself in English only, so the kind of weakness it found picks one of our
translated messages.
"""

import re
import threading
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn
from zxcvbn.matching import add_frequency_lists

from app.domain.text import fold

MIN_PASSWORD_LENGTH = 10
# zxcvbn's score 3: "safely unguessable", more than 10^8 guesses (offline attack on a slow hash).
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching is quadratic); the first 72 characters decide.
ZXCVBN_MAX_LENGTH = 72
COMMON_WORDS_FILE = Path(__file__).resolve().parents[2] / "seed" / "common_passwords_vi.txt"

TOO_COMMON = _l("This password is too common; choose one that is harder to guess.")
WEAKNESS_MESSAGES = {
    "repeat": _l("Avoid repeated characters or words, such as “aaa” or “abcabc”."),
    "sequence": _l("Avoid sequences such as “abcd” or “6789”."),
    "spatial": _l("Avoid rows of keys such as “qwerty” or “asdfgh”."),
    "date": _l("Avoid years and dates: they are easy to guess."),
    "regex": _l("Avoid years and dates: they are easy to guess."),  # zxcvbn's recent years
}
PERSONAL = _l("Do not build the password from your name or e-mail address.")
TOO_EASY = _l("This password is too easy to guess: make it longer, for example with a few words.")

# zxcvbn keeps the personal words of the current call in a module-level dictionary.
_zxcvbn_lock = threading.Lock()


@cache
def _add_common_vietnamese_words() -> None:
    lines = COMMON_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    words = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    add_frequency_lists({"common_vietnamese": words})


def _personal_words(email: str, name: str) -> list[str]:
    """The address, its parts and the name as a person might write them into a password."""
    address = email.strip().lower()
    local_part = address.partition("@")[0]
    names = fold(name).split()
    words = [address, local_part, *re.split(r"[^a-z0-9]+", local_part), *names]
    if names:
        words += ["".join(names), names[-1] + names[0]]  # family name first, and given name first
    return [word for word in words if word]


def _easiest_reading(password: str, personal_words: list[str]) -> dict:
    """zxcvbn's result for the password, or for it without diacritics if that is easier."""
    _add_common_vietnamese_words()
    candidates = [password]
    folded = fold(password)
    if folded != password.lower():
        candidates.append(folded)
    with _zxcvbn_lock:
        results = [zxcvbn(c[:ZXCVBN_MAX_LENGTH], personal_words) for c in candidates]
    return min(results, key=lambda result: result["guesses"])


def _weakness(result: dict) -> str:
    """Our message for the longest pattern zxcvbn recognised in a weak password."""
    patterns = [match for match in result["sequence"] if match["pattern"] != "bruteforce"]
    if not patterns:
        return str(TOO_EASY)
    longest = max(patterns, key=lambda match: len(match["token"]))
    if longest["pattern"] == "dictionary":
        return str(PERSONAL if longest["dictionary_name"] == "user_inputs" else TOO_COMMON)
    return str(WEAKNESS_MESSAGES.get(longest["pattern"], TOO_EASY))


def password_problems(password: str, email: str, name: str = "") -> list[str]:
    """Why `password` is not acceptable for the account `email`/`name` (empty list: it is fine).

    Guessability is judged only once the plain rules hold, so each answer names one thing to fix.
    """
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH))
    lowered = password.lower()
    address = email.strip().lower()
    local_part = address.partition("@")[0]
    if address and (address in lowered or (len(local_part) >= 3 and local_part in lowered)):
        problems.append(_("The password must not contain your e-mail address."))
    if problems:
        return problems
    result = _easiest_reading(password, _personal_words(email, name))
    if result["score"] < MIN_SCORE:
        problems.append(_weakness(result))
    return problems
