"""Finding records that may be the same woman: blocking, then scoring pairs.

Pure (rapidfuzz). The rules, in order:
- two records with the same national ID are the same woman (score 100, proposed);
- two records with different valid national IDs are two women, whatever else agrees;
- otherwise the names must be alike (similarity ≥ ``REVIEW_AT``, see ``normalise``;
  the better of the keys as written and with homophone letters folded, so
  «کلسوم سالحی» scores 100 against «کلثوم صالحی»)
  and at least one of birth date, father's name (similarity ≥ ``FATHER_AT``) or
  phone must agree: a name alone, even with the village, never makes a match;
- proposed (to merge) when the names score ≥ ``PROPOSE_AT``, at least two of
  birth date / father / phone agree and none of them contradicts; otherwise the
  pair goes to the review queue.

Blocking: a pair is compared only if the two records share a blocking key —
national ID; phone; birth date + first letter of the first name; the sound key
of the last name + first letter of the first name (homophone letters folded,
vowel letters dropped, so most spelling variants share it). Each pair is compared
once: in the first pass whose key it shares. Blocks larger than ``MAX_BLOCK`` are
skipped and counted (such a key says little: a common surname).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from groups.beneficiaries.normalise import name_similarity

PROPOSE_AT = 95
REVIEW_AT = 85
FATHER_AT = 90
MAX_BLOCK = 200
_HOMOPHONES = str.maketrans(
    {"ث": "س", "ص": "س", "ذ": "ز", "ض": "ز", "ظ": "ز", "ط": "ت", "ح": "ه", "غ": "ق"}
)
_VOWEL_LETTERS = re.compile("[اویء]")
_REPEATS = re.compile(r"(.)\1+")


@dataclass(frozen=True, slots=True)
class Person:
    """What matching needs of a record; names are matching keys (``normalise.name_key``)."""

    id: int
    national_id: str | None
    first: str
    last: str
    father: str | None
    birth: str | None  # ISO date
    phone: str | None
    village: str | None

    @property
    def name(self) -> str:
        """Return the key of "first last"."""
        return f"{self.first} {self.last}"


@dataclass(frozen=True, slots=True)
class Match:
    """A pair worth a human's eye: its name score, what agreed, and the verdict."""

    first_id: int
    second_id: int
    score: int
    evidence: tuple[str, ...]
    status: str  # proposed or review


def sound_key(key: str) -> str:
    """Return a coarse key of a name: homophone letters folded, vowel letters and spaces dropped."""
    folded = key.replace(" ", "").translate(_HOMOPHONES)
    if not folded:
        return ""
    return _REPEATS.sub(r"\1", folded[0] + _VOWEL_LETTERS.sub("", folded[1:]))


def _sound(key: str) -> str:
    """Return a key with homophone letters folded (ث ص → س, ذ ض ظ → ز, ط → ت, ح → ه, غ → ق)."""
    return key.translate(_HOMOPHONES)


def _alike(a: str, b: str) -> float:
    """Return the similarity of two keys as written or with homophones folded, the better."""
    return max(name_similarity(a, b), name_similarity(_sound(a), _sound(b)))


def blocking_keys(person: Person) -> tuple[str | None, ...]:
    """Return the person's key of each blocking pass (None where she has no value)."""
    initial = person.first[:1]
    return (
        person.national_id,
        person.phone,
        f"{person.birth}|{initial}" if person.birth else None,
        f"{sound_key(person.last)}|{initial}" if person.last else None,
    )


def compare(a: Person, b: Person) -> Match | None:
    """Return the pair's match, or None when they are not worth reviewing."""
    first, second = (a.id, b.id) if a.id < b.id else (b.id, a.id)
    if a.national_id and b.national_id:
        if a.national_id == b.national_id:
            return Match(first, second, 100, ("national_id",), "proposed")
        return None
    agree, contradict = _evidence(a, b)
    if not agree:
        return None
    score = round(_alike(a.name, b.name))
    if score < REVIEW_AT:
        return None
    if a.village and a.village == b.village:
        agree.append("village")
    strong = len(agree) - ("village" in agree)
    proposed = score >= PROPOSE_AT and strong >= 2 and not contradict
    evidence = tuple(agree) + tuple(f"!{name}" for name in contradict)
    return Match(first, second, score, evidence, "proposed" if proposed else "review")


def _evidence(a: Person, b: Person) -> tuple[list[str], list[str]]:
    """Return which of birth date, father's name and phone agree, and which contradict."""
    agree: list[str] = []
    contradict: list[str] = []
    for name, x, y in (("birth_date", a.birth, b.birth), ("phone", a.phone, b.phone)):
        if x and y:
            (agree if x == y else contradict).append(name)
    if a.father and b.father:
        alike = _alike(a.father, b.father) >= FATHER_AT
        (agree if alike else contradict).append("father_name")
    return agree, contradict


@dataclass
class BlockingStats:
    """How much work the blocking left: blocks, pairs compared, blocks skipped as too large."""

    blocks: int = 0
    pairs_compared: int = 0
    oversized_blocks: int = 0


def find_matches(people: Sequence[Person], stats: BlockingStats | None = None) -> Iterator[Match]:
    """Yield every pair worth a look among the people, each pair once."""
    stats = stats if stats is not None else BlockingStats()
    keys = [blocking_keys(p) for p in people]
    passes = len(keys[0]) if keys else 0
    sizes = [_block_sizes(keys, index) for index in range(passes)]
    for index in range(passes):
        blocks: dict[str, list[int]] = defaultdict(list)
        for position, person_keys in enumerate(keys):
            key = person_keys[index]
            if key and sizes[index][key] > 1:
                blocks[key].append(position)
        for members in blocks.values():
            yield from _compare_block(people, keys, sizes, index, members, stats)
        del blocks


def _block_sizes(keys: Sequence[tuple[str | None, ...]], index: int) -> Counter[str]:
    return Counter(key for person_keys in keys if (key := person_keys[index]) is not None)


def _compare_block(
    people: Sequence[Person],
    keys: Sequence[tuple[str | None, ...]],
    sizes: Sequence[Counter[str]],
    index: int,
    members: list[int],
    stats: BlockingStats,
) -> Iterator[Match]:
    stats.blocks += 1
    if len(members) > MAX_BLOCK:
        stats.oversized_blocks += 1
        return
    for i, left in enumerate(members):
        for right in members[i + 1 :]:
            if _met_earlier(keys[left], keys[right], sizes, index):
                continue
            stats.pairs_compared += 1
            match = compare(people[left], people[right])
            if match is not None:
                yield match


def _met_earlier(
    a: tuple[str | None, ...], b: tuple[str | None, ...], sizes: Sequence[Counter[str]], index: int
) -> bool:
    """Return whether the pair shares a key of an earlier pass whose block was compared."""
    return any(
        a[k] is not None and a[k] == b[k] and sizes[k][a[k]] <= MAX_BLOCK  # type: ignore[index]
        for k in range(index)
    )
