"""The generated register: valid, reproducible, and a yardstick for the matching (truth known)."""

from __future__ import annotations

from collections import Counter

from groups.beneficiaries import demo
from groups.beneficiaries.fields import BY_NAME, parse_value
from groups.beneficiaries.imports import validate
from groups.beneficiaries.matching import Person, find_matches
from groups.beneficiaries.national_id import is_valid_national_id
from groups.beneficiaries.normalise import name_key, phone_key
from groups.beneficiaries.tables import read_table


def people_and_truth(women: list[demo.Woman]) -> tuple[list[Person], list[int]]:
    """Return each generated row as matching sees it, and the index of the woman it is."""
    people, truth = [], []
    for agency, index, row in demo.labelled_rows(women):
        values = {f: parse_value(BY_NAME[f], row[c])[0] for c, f in demo.MAPPINGS[agency].items()}
        people.append(
            Person(
                len(people),
                values["national_id"],
                name_key(values["first_name"] or ""),
                name_key(values["last_name"] or ""),
                name_key(values["father_name"] or "") or None,
                values["birth_date"],
                phone_key(values["phone"] or "") or None,
                name_key(values["village"] or ""),
            )
        )
        truth.append(index)
    return people, truth


def test_the_register_is_reproducible_and_its_ids_valid() -> None:
    women = demo.generate_women(300, seed=5)
    assert women == demo.generate_women(300, seed=5)
    assert all(is_valid_national_id(w.national_id) for w in women)
    assert len({w.national_id for w in women}) == 300
    rows = demo.agency_rows(women)
    assert sum(len(r) for r in rows.values()) == 375  # 300 ÷ 0.8: a fifth are repeats


def test_the_files_read_back_with_each_agencys_mapping() -> None:
    rows = demo.agency_rows(demo.generate_women(200, seed=6))
    for agency in demo.AGENCIES:
        name = demo.FILE_NAMES[agency]
        table = read_table(name, demo.file_bytes(agency, rows[agency]))
        valid, problems = validate(table, demo.MAPPINGS[agency])
        assert len(valid) + len({p.row for p in problems}) == len(rows[agency])
        assert len(valid) >= 0.97 * len(rows[agency])  # a few IDs lost three zeros


def test_matching_proposes_no_wrong_pair_and_finds_the_copies() -> None:
    people, truth = people_and_truth(demo.generate_women(1_000, seed=8))
    verdicts: Counter[tuple[str, bool]] = Counter()
    found = set()
    for match in find_matches(people):
        same = truth[match.first_id] == truth[match.second_id]
        verdicts[match.status, same] += 1
        if same:
            found.add(truth[match.first_id])
    copies = len(truth) - len(set(truth))

    assert verdicts["proposed", False] == 0  # never a wrong merge proposed
    assert len(found) >= 0.97 * copies  # proposed or queued for review
    assert verdicts["proposed", True] >= 0.85 * copies
