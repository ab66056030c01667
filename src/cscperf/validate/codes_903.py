"""SSDA903 code lists (DfE children looked after return guidance).

Keys are list names used by :mod:`cscperf.store.schema`; a value is either a set
(valid in every year) or ``{(first_year, last_year): codes}`` where the years
are return years (2024 = the return for 2023-24). Lists were checked against
the 903 XSD (field lengths: RNE 1, LS/CIN/PL 2, REC/PLACE_PROVIDER 3,
REASON_PLACE_CHANGE 6 characters) and the code lists the DfE guidance gives.
Where a code was withdrawn the span ends, so an old return still validates.
"""

from __future__ import annotations

_PLACE_BASE = {
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3",
    "R5", "S1", "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
}  # fmt: skip

LISTS: dict[str, object] = {
    "903_sex": {"1", "2"},
    "903_mother": {"0", "1"},
    "903_rne": {"S", "P", "L", "T", "U", "B"},
    "903_ls": {"C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"},
    "903_cin": {"N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"},
    "903_place": _PLACE_BASE,
    "903_place_provider": {"PR0", "PR1", "PR2", "PR3", "PR4", "PR5"},
    "903_rec": {
        "E11",
        "E12",
        "E13",
        "E14",
        "E15",
        "E16",
        "E17",
        "E2",
        "E3",
        "E41",
        "E45",
        "E46",
        "E47",
        "E48",
        "E4A",
        "E4B",
        "E5",
        "E6",
        "E7",
        "E8",
        "E9",
        "X1",
    },
    "903_reason_place_change": {
        "CARPL",
        "CLOSE",
        "ALLEG",
        "STAND",
        "APPRR",
        "CREQB",
        "CREQO",
        "CHILD",
        "LAREQ",
        "PLACE",
        "CUSTOD",
        "OTHER",
    },
    "903_review_code": {"PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"},
    "903_missing": {"M", "A"},
    "903_sdq_reason": {"SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"},
    "903_in_touch": {"YES", "NO", "DIED", "REFU", "NREQ", "RHOM"},
    # 0 = information not known/not collected. F3/P3 (training or employment)
    # were split into F4/P4 (apprenticeship) and F5/P5 (other training or
    # employment); F3/P3 are accepted up to the 2022 return.
    "903_activ": {
        (1900, 9999): {"F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0"},
        (1900, 2022): {"F3", "P3"},
    },
    # letter = type of accommodation, digit 1 = suitable, 2 = not suitable; there
    # is no "suitable" code for no fixed abode (S) or custody (X).
    "903_accom": {f"{a}{n}" for a in "BCDEGHKRTUVWYZ" for n in "12"} | {"S2", "X2", "0"},
    "903_nb_adoptr": {"1", "2"},
    "903_sex_adoptr": {"M1", "F1", "MM", "FF", "MF"},
    "903_ls_adoptr": {"L0", "L11", "L12", "L2", "L3", "L4"},
    "903_reason_placed_ceased": {"RD1", "RD2", "RD3", "RD4"},
    "903_prev_perm": {"P1", "P2", "P3", "P4", "Z1"},
    # social worker episodes were added in the 2024 return
    "903_sw_reason": {
        (2024, 9999): {
            "MANAGE",
            "FCONTA",
            "LEFTRL",
            "ORGRST",
            "TSPROC",
            "ABSENC",
            "CHCHAN",
            "PCCHAN",
            "SWDIED",
            "OTHERS",
        },
    },
}
