"""CIN census code lists, by collection year.

Facts transcribed from the DfE CIN census XSDs for the collection years 2017
to 2026 (``CIN_schema_<year>.xsd``); the project does not read the XSDs at run
time. A list that changed is written ``{(first_year, last_year): codes}``.
The latest span is left open (``9999``) so that next year's return is checked
against the current list until the DfE publishes a change; returns before 2017
get no codes (no schema on file).
"""

from __future__ import annotations

FIRST = 2017  # earliest schema on file
OPEN = 9999  # still current

# UPNunknown (unknownupntype): unchanged 2017-2026.
UPN_UNKNOWN = frozenset({"UN1", "UN2", "UN3", "UN4", "UN5", "UN6", "UN7"})

# GenderCurrent (gendertype) to 2024; the 2025 schema replaced it with Sex (sextype).
GENDER_CURRENT = frozenset({"0", "1", "2", "9"})  # not known, male, female, not specified
SEX = frozenset({"M", "F", "U"})  # male, female, unknown

DISABILITY = frozenset(
    {"NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA"}
)

_REFERRAL_SOURCE_2017 = frozenset(
    {
        "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4",
        "5A", "5B", "5C", "6", "7", "8", "9", "10",
    }
)  # fmt: skip

PRIMARY_NEED = frozenset({"N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"})

_REASON_FOR_CLOSURE_2017 = frozenset({"RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8"})

CATEGORY_OF_ABUSE = frozenset({"NEG", "PHY", "SAB", "EMO", "MUL"})

# Assessment factors: 18B/18C/19B/19C added 2021, 24A added 2022. 18A and 19A stay
# in every schema on file (the 2026 XSD notes they were retained on request).
_FACTORS_2017 = frozenset(
    {
        "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C",
        "5A", "5B", "5C", "6A", "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F",
        "9A", "10A", "11A", "12A", "13A", "14A", "15A", "16A", "17A", "18A", "19A",
        "20", "21", "22A", "23A",
    }
)  # fmt: skip
_FACTORS_2021 = _FACTORS_2017 | {"18B", "18C", "19B", "19C"}
_FACTORS_2022 = _FACTORS_2021 | {"24A"}

LISTS: dict[str, object] = {
    "cin_upn_unknown": {(FIRST, OPEN): UPN_UNKNOWN},
    "cin_sex": {(FIRST, 2024): GENDER_CURRENT, (2025, OPEN): SEX},
    "cin_disability": {(FIRST, OPEN): DISABILITY},
    "cin_referral_source": {
        (FIRST, 2022): _REFERRAL_SOURCE_2017,
        (2023, OPEN): _REFERRAL_SOURCE_2017 | {"5D"},
    },
    "cin_primary_need": {(FIRST, OPEN): PRIMARY_NEED},
    "cin_reason_for_closure": {
        (FIRST, 2022): _REASON_FOR_CLOSURE_2017,
        (2023, OPEN): _REASON_FOR_CLOSURE_2017 | {"RC9"},
    },
    "cin_category_of_abuse": {(FIRST, OPEN): CATEGORY_OF_ABUSE},
    "cin_assessment_factor": {
        (FIRST, 2020): _FACTORS_2017,
        (2021, 2021): _FACTORS_2021,
        (2022, OPEN): _FACTORS_2022,
    },
    # Pre-proceedings outcome: NOT in any XSD on file (the 2026 schema has no
    # PreProceedingsandFGDM block); kept from the project's first list, unverified.
    "cin_pp_outcome": {(2026, OPEN): frozenset({"A", "B", "C", "D", "E"})},
}
