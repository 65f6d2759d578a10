"""Persian text as agencies type it, made comparable.

Pure. Two forms of a name:
- the display form keeps what a person would write (ZWNJ included), with Arabic
  ي/ك turned into Persian ی/ک, digits made Latin and runs of spaces collapsed;
- the matching key folds every variant that different keyboards and agencies
  produce (NFKC; ي ى ئ → ی, ك → ک, ة ۀ → ه, أ إ آ ٱ → ا, ؤ → و; hamza, tatweel,
  harakat, ZWNJ and directional marks dropped) and collapses spaces. The joined
  key also drops the spaces, so «محمد رضا» and «محمدرضا» meet.
Similarity (0–100) is the larger of the joined keys' ratio and the keys'
token-sort ratio (rapidfuzz): word order and spacing do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

from groups.locale import latin_digits

_DISPLAY = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})
_KEY_FOLD = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
    }
)
#: Hamza, tatweel, harakat (U+064B–U+065F, U+0670), ZWNJ/ZWJ and directional marks.
_KEY_DROP = re.compile("[\u0621\u0640\u064b-\u065f\u0670\u200c\u200d\u200e\u200f\u202a-\u202e]")
_SPACES = re.compile(r"\s+")
_NOT_DIGIT = re.compile(r"\D")


def display_text(text: str) -> str:
    """Return text fit to store and show: Persian ی/ک, Latin digits, single spaces."""
    return _SPACES.sub(" ", latin_digits(text).translate(_DISPLAY)).strip()


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """Return the matching key of a name: every spelling variant folded, words kept apart."""
    folded = unicodedata.normalize("NFKC", text).translate(_KEY_FOLD)
    return _SPACES.sub(" ", _KEY_DROP.sub("", folded)).strip().lower()


def joined_key(text: str) -> str:
    """Return the matching key without spaces (compound names written apart or together)."""
    return name_key(text).replace(" ", "")


def name_similarity(a: str, b: str) -> float:
    """Return how alike two names' keys are, 0–100: max(joined ratio, token-sort ratio)."""
    return max(
        fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")),
        fuzz.token_sort_ratio(a, b),
    )


def phone_key(text: str) -> str:
    """Return a phone number's comparable form: digits only, last ten (0912… = +98912…)."""
    digits = _NOT_DIGIT.sub("", latin_digits(text))
    return digits[-10:] if len(digits) >= 10 else digits
