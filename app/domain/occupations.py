"""Occupation names of workforce needs: one spelling per name as typed, and one key per
occupation whatever its case, spacing or diacritics, so the yearly tables count it once."""

from collections import Counter
from collections.abc import Iterable

from app.domain.text import fold, nfc


def occupation_name(text: str) -> str:
    """One spelling per occupation, so the yearly tables count "kỹ sư  môi trường" and "KỸ SƯ
    MÔI TRƯỜNG" with "Kỹ sư môi trường": NFC, single spaces, a capital first letter (a name
    typed all in capitals becomes sentence case; abbreviations inside, like XLNT, are kept)."""
    name = " ".join(nfc(text).split())
    if name.isupper():
        name = name.lower()
    return name[:1].upper() + name[1:]


def occupation_key(text: str) -> str:
    """What every spelling of one occupation shares: "Kỹ sư môi trường", "kỹ sư môi trường"
    and "Ky su moi truong" are one occupation."""
    return " ".join(fold(nfc(text)).split())


def usual_spellings(spellings: Iterable[tuple[str, int]]) -> dict[str, str]:
    """{key: the spelling to show}: of the (spelling, times used) pairs of each key, the one
    used most often; of equally used ones, the one with the most accented letters (typed
    without accents is the likelier slip), then the first in alphabetical order."""
    uses: Counter[str] = Counter()
    for spelling, times in spellings:
        uses[spelling] += times

    def preference(pair: tuple[str, int]):
        spelling, times = pair
        return -times, -sum(not letter.isascii() for letter in spelling), spelling

    usual: dict[str, str] = {}
    for spelling, _times in sorted(uses.items(), key=preference):
        usual.setdefault(occupation_key(spelling), spelling)
    return usual
