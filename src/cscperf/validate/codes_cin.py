"""CIN census code lists, by collection year (from the DfE XSDs and guidance)."""

from __future__ import annotations

LISTS: dict[str, object] = {
    "cin_upn_unknown": {"UN1", "UN2", "UN3", "UN4", "UN5", "UN6", "UN7", "UN8", "UN9", "UN10"},
    "cin_sex": {"0", "1", "2", "9"},
    "cin_disability": {
        "NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON",
        "AUT", "DDA",
    },  # fmt: skip
    "cin_referral_source": {
        "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4",
        "5A", "5B", "5C", "5D", "6", "7", "8", "9", "10",
    },  # fmt: skip
    "cin_primary_need": {"N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"},
    "cin_reason_for_closure": {"RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9"},
    "cin_category_of_abuse": {"NEG", "PHY", "SAB", "EMO", "MUL"},
    "cin_assessment_factor": {
        "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A",
        "5B", "5C", "6A", "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A",
        "11A", "12A", "13A", "14A", "15A", "16A", "17A", "18B", "18C", "19A", "19B",
        "19C", "20", "21", "22A", "23A", "24A",
    },  # fmt: skip
    "cin_pp_outcome": {"A", "B", "C", "D", "E"},
}
