"""A tiny hand-written set of published figures (EES open-data CSVs and an SN model)
for LA 883 and three neighbours, so the report's comparison sentences are exercised
without ../shared. Values are chosen to be worked by hand:

- care leavers 19-21 in EET (%), 2024-25: 883 = 67; neighbours 801 = 60, 802 = c
  (suppressed), 803 = 70 -> SN mean 65, range 60 to 70, 2 of 3 available; East of
  England 62, England 66; LAs ranked high-is-better: 70 (803), 67 (883), 60, 55 (804)
  -> 883 ranks 2nd of 4, quartile B.
- looked-after children at 31 March 2025 (count): 883 = 300; 801 = 250, 802 = 400,
  803 = 350 -> SN mean 333.3, range 250 to 400; rate per 10k: 883 = 70, SN 60/80/75.
- children starting care in 2024-25 (a flow): 883 = 120; 801 = 100, 802 = 150, 803 = 110
  -> SN mean 120.
"""

from __future__ import annotations

from pathlib import Path

GEO = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name"
)
EAST, SOUTH_EAST = "E12000006,East of England", "E12000008,South East"
LAS = {"883": EAST, "801": EAST, "802": SOUTH_EAST, "803": SOUTH_EAST, "804": SOUTH_EAST}


def _rows(year: str, filters: str, per_la: dict[str, str], region: str, england: str) -> list[str]:
    out = [
        f"{year},Reporting year,National,E92000001,England,,,,,,{filters},{england}",
        f"{year},Reporting year,Regional,E92000001,England,{EAST},,,,{filters},{region}",
    ]
    for la, v in per_la.items():
        out.append(
            f"{year},Reporting year,Local authority,E92000001,England,{LAS[la]},{la},"
            f"E0600{la},LA {la},{filters},{v}"
        )
    return out


def write_published(folder: Path) -> Path:
    """Write the files into ``folder`` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    eet = _rows(
        "202425",
        '19 to 21 years,"Total in education, employment or training"',
        {"883": "67", "801": "60", "802": "c", "803": "70", "804": "55"},
        "62",
        "66",
    )
    (folder / "la_care_leavers_activity.csv").write_text(
        GEO + ",care_leaver_age,breakdown,care_leaver_percent\n" + "\n".join(eet) + "\n"
    )
    cla = _rows(
        "2025",
        "Children looked after on 31 March each year",
        {"883": "300,70", "801": "250,60", "802": "400,80", "803": "350,75", "804": "500,90"},
        "4000,55",
        "83630,70",
    )
    cla += _rows(
        "2025",
        "Children starting to be looked after each year",
        {"883": "120,28", "801": "100,24", "802": "150,30", "803": "110,26", "804": "200,36"},
        "1500,20",
        "30000,25",
    )
    (folder / "cla_number_and_rate_per_10k_children.csv").write_text(
        GEO + ",population_type,children_count,rate_per_10000\n" + "\n".join(cla) + "\n"
    )
    head = "LA num,LA Name,LA number,GOInd,GOReg,SN1,SNP,SN2,SNP,SN3,SNP\n"
    (folder / "sn_2025.csv").write_text(head + "883,T,883,6,East,801,C,802,C,803,C\n")
    return folder
