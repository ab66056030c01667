-- child_facts: what is known of each child whatever the period, for child_attributes.
--
-- Why: it does not depend on the KPI or the period, so the engine builds it once
-- per run (a TEMP TABLE) instead of once per KPI inside child_attributes.
-- One row per (la_code, child_id) seen in any table these facts come from.
--
--   sex, dob, eth   903 header, else CIN census, else Annex A (sex Male/Female or NULL;
--                   eth the code as written, upper-cased and trimmed)
--   born_in_la      UASC for children ever in the UASC table, else in LA / elsewhere
--                   by the child's first HOME_POST, else unknown
WITH h903 AS (
    SELECT la_code, child_id,
           MAX(CASE sex WHEN '1' THEN 'Male' WHEN '2' THEN 'Female' END) AS sex,
           MAX(dob) AS dob, MAX(ethnic) AS eth
    FROM children GROUP BY la_code, child_id
),
hcin AS (
    -- GenderCurrent (to 2024) codes 1/2; Sex (2025 on) codes M/F
    SELECT la_code, child_id,
           MAX(CASE WHEN sex IN ('1', 'M') THEN 'Male' WHEN sex IN ('2', 'F') THEN 'Female' END)
               AS sex,
           MAX(dob) AS dob, MAX(ethnicity) AS eth
    FROM cin_children GROUP BY la_code, child_id
),
hann AS (
    SELECT la_code, child_id,
           MAX(CASE WHEN sex IN ('Male', 'Female') THEN sex END) AS sex,
           MAX(dob) AS dob, MAX(ethnicity) AS eth
    FROM (
        SELECT la_code, child_id, sex, dob, ethnicity FROM contacts
        UNION ALL SELECT la_code, child_id, sex, dob, ethnicity FROM early_help
        UNION ALL SELECT la_code, child_id, sex, dob, ethnicity FROM annexa_referrals
        UNION ALL SELECT la_code, child_id, sex, dob, ethnicity FROM annexa_assessments
        UNION ALL SELECT la_code, child_id, sex, dob, ethnicity FROM annexa_s47
        UNION ALL SELECT la_code, child_id, sex, dob, ethnicity FROM annexa_cin
        UNION ALL SELECT la_code, child_id, sex, dob, ethnicity FROM annexa_cp
        UNION ALL SELECT la_code, child_id, sex, dob, ethnicity FROM annexa_cla
        UNION ALL SELECT la_code, child_id, sex, dob, ethnicity FROM care_leavers
        UNION ALL SELECT la_code, child_id, sex, dob, ethnicity FROM annexa_adoption
    ) AS a
    GROUP BY la_code, child_id
),
uasc_ever AS (
    SELECT DISTINCT la_code, child_id FROM uasc
),
first_home AS (
    SELECT la_code, child_id, home_post
    FROM (
        SELECT la_code, child_id, home_post,
               ROW_NUMBER() OVER (PARTITION BY la_code, child_id ORDER BY decom) AS rn
        FROM cla_episodes
        WHERE home_post IS NOT NULL AND TRIM(home_post) <> ''
    ) AS f
    WHERE rn = 1
),
ids AS (
    SELECT la_code, child_id FROM h903
    UNION SELECT la_code, child_id FROM hcin
    UNION SELECT la_code, child_id FROM hann
    UNION SELECT la_code, child_id FROM uasc_ever
    UNION SELECT la_code, child_id FROM first_home
)
SELECT
    i.la_code,
    i.child_id,
    COALESCE(h.sex, c.sex, a.sex) AS sex,
    COALESCE(h.dob, c.dob, a.dob) AS dob,
    UPPER(TRIM(COALESCE(h.eth, c.eth, a.eth))) AS eth,
    CASE
        WHEN ue.child_id IS NOT NULL THEN 'UASC'
        WHEN pfirst.ons_la_code IS NULL OR ll.ons_code IS NULL THEN 'unknown'
        WHEN lo.whole THEN 'in LA'
        WHEN lo.whole IS NOT NULL THEN 'unknown'
        ELSE 'elsewhere'
    END AS born_in_la
FROM ids AS i
LEFT JOIN h903 AS h ON h.la_code = i.la_code AND h.child_id = i.child_id
LEFT JOIN hcin AS c ON c.la_code = i.la_code AND c.child_id = i.child_id
LEFT JOIN hann AS a ON a.la_code = i.la_code AND a.child_id = i.child_id
LEFT JOIN uasc_ever AS ue ON ue.la_code = i.la_code AND ue.child_id = i.child_id
LEFT JOIN la_lookup AS ll ON ll.la_code = i.la_code
LEFT JOIN first_home AS fh ON fh.la_code = i.la_code AND fh.child_id = i.child_id
LEFT JOIN postcodes AS pfirst ON pfirst.postcode = REPLACE(UPPER(fh.home_post), ' ', '')
LEFT JOIN la_ons_codes AS lo ON lo.la_code = i.la_code AND lo.ons_code = pfirst.ons_la_code
