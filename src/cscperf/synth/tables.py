"""Distributions the simulation draws from: shares of codes, ages and teams.

Plain data, kept apart from the simulation logic. Weights are relative, set to
look like England's published CIN and CLA breakdowns (facts, rounded).
"""

from __future__ import annotations

ETHNICITY = (
    ("WBRI", 0.66),
    ("WOTH", 0.05),
    ("WIRI", 0.005),
    ("WROM", 0.01),
    ("MWBC", 0.03),
    ("MWBA", 0.015),
    ("MWAS", 0.015),
    ("MOTH", 0.03),
    ("AIND", 0.01),
    ("APKN", 0.02),
    ("ABAN", 0.01),
    ("AOTH", 0.015),
    ("BCRB", 0.015),
    ("BAFR", 0.05),
    ("BOTH", 0.01),
    ("CHNE", 0.003),
    ("OOTH", 0.02),
    ("REFU", 0.007),
    ("NOBT", 0.015),
)
UASC_ETHNICITY = (("BAFR", 0.4), ("OOTH", 0.3), ("AOTH", 0.2), ("BOTH", 0.1))
SOURCES = (
    ("1A", 0.04),
    ("1B", 0.01),
    ("1C", 0.01),
    ("1D", 0.01),
    ("2A", 0.18),
    ("2B", 0.01),
    ("3A", 0.02),
    ("3B", 0.02),
    ("3C", 0.01),
    ("3D", 0.04),
    ("3E", 0.02),
    ("3F", 0.04),
    ("4", 0.02),
    ("5A", 0.04),
    ("5B", 0.03),
    ("5C", 0.01),
    ("5D", 0.05),
    ("6", 0.29),
    ("7", 0.02),
    ("8", 0.04),
    ("9", 0.02),
    ("10", 0.07),
)
NEEDS = (
    ("N1", 0.55),
    ("N2", 0.1),
    ("N3", 0.04),
    ("N4", 0.09),
    ("N5", 0.14),
    ("N6", 0.03),
    ("N7", 0.01),
    ("N8", 0.02),
    ("N9", 0.02),
)
CATEGORY = (("NEG", 0.5), ("EMO", 0.37), ("PHY", 0.07), ("SAB", 0.04), ("MUL", 0.02))
FACTORS = (
    "1B",
    "2B",
    "3A",
    "3B",
    "4A",
    "4B",
    "5A",
    "6A",
    "6B",
    "7A",
    "8B",
    "9A",
    "10A",
    "11A",
    "12A",
    "13A",
    "14A",
    "15A",
    "16A",
    "17A",
    "18B",
    "19A",
    "20",
    "21",
    "22A",
    "23A",
    "24A",
)
#: age at entry to care (non-UASC), by band: (low, high, weight)
CARE_AGES = ((0, 0, 0.2), (1, 4, 0.15), (5, 9, 0.18), (10, 15, 0.37), (16, 17, 0.10))
CP_AGES = ((0, 0, 0.15), (1, 4, 0.27), (5, 9, 0.28), (10, 15, 0.27), (16, 17, 0.03))
REF_AGES = ((0, 0, 0.1), (1, 4, 0.2), (5, 9, 0.27), (10, 15, 0.33), (16, 17, 0.10))
TEAMS = (
    "MASH",
    "Assessment Team 1",
    "Assessment Team 2",
    "Family Support 1",
    "Family Support 2",
    "Children in Care Team",
    "Leaving Care Team",
    "Disabled Children Team",
)

DISABILITY = ("LD", "COMM", "BEH", "AUT", "MOB", "HEAR", "VIS")
