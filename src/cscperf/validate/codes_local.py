"""Code lists shared across formats and for the local CSV templates."""

from __future__ import annotations

# DfE ethnicity codes used by both the 903 and the CIN census.
ETHNICITY = {
    "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH",
    "AIND", "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH",
    "REFU", "NOBT",
}  # fmt: skip

LISTS: dict[str, object] = {
    "ethnicity": ETHNICITY,
    # Annex A gender, after its "a) " prefix is stripped by the reader.
    "annexa_sex": {"Male", "Female", "Not stated/recorded", "Unknown", "Other", "Not known"},
    "local_sw_status": {"employed", "agency", "vacant"},
    "local_foster_type": {"mainstream", "connected", "specialist", "short_break"},
    "local_audit_grade": {"outstanding", "good", "requires_improvement", "inadequate"},
}
