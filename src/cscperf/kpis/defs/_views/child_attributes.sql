-- child_attributes: the breakdown attributes of each KPI member at its period end,
-- or at its event for flow KPIs.
--
-- Why: every KPI returns members (la_code, period_id, subject_id); breakdowns and
-- drill-down join them here, so "by sex", "by placement location", ... are
-- defined once for every KPI. One row per distinct (la_code, period_id,
-- subject_id, attr_date) in attribute_subjects: the members of the KPI being
-- computed (kpi_members), so attributes are only worked out for those children.
-- d below is the member's attr_date when set - its event_date, for KPIs with
-- breakdowns_at: event (flows: age on starting care, at referral, ..., as the DfE
-- tabulates them) - else the period end (stocks).
--
--   sex                 Male / Female / Unknown: 903 header, else CIN census, else Annex A
--   age_band            completed years at d: under 1, 1-4, 5-9, 10-15, 16+ (unknown
--                       without a date of birth); dob from the same sources
--   ethnicity           major group from the code's first letter: W White, M Mixed,
--                       A Asian, B Black, C/O Other; REFU, NOBT and blank Not known
--   uasc                UASC when in the 903 UASC table with DUC blank or after d
--   placement_type,     PLACE and LS of the child's latest non-short-break episode
--   legal_status        in the period (the one open at d for stock KPIs); 'not looked
--                       after' when there is none
--   placement_location  in LA (PL_POST's upper-tier LA is this LA) / outside LA,
--                       <= 20 miles / outside LA, > 20 miles (straight line from
--                       HOME_POST, metres / 1000 / 1.6093) / unknown
--   born_in_la          UASC for children ever in the UASC table (shown apart), else
--                       in LA / elsewhere by the child's first HOME_POST, else unknown
--   team, worker        latest Annex A record (or case audit / workforce post) dated
--                       on or before d
--
-- What does not depend on the period (sex, dob, ethnicity, born_in_la; each
-- episode's placement location; the team records) comes from child_facts,
-- episode_locations and child_teams, built once per run.
WITH subj AS (
    -- attribute_subjects: the KPI's members (the engine leaves out those whose
    -- attributes an earlier KPI of the run already worked out)
    SELECT DISTINCT m.la_code, m.period_id, m.subject_id, m.attr_date, p.period_start,
           COALESCE(m.attr_date, p.period_end) AS d
    FROM attribute_subjects AS m
    JOIN periods AS p ON p.period_id = m.period_id
),
aged AS (
    SELECT s.la_code, s.period_id, s.subject_id, s.attr_date, s.d,
           COALESCE(f.sex, 'Unknown') AS sex, f.eth, f.born_in_la,
           CASE WHEN f.dob IS NOT NULL AND f.dob <= s.d THEN
               EXTRACT(YEAR FROM s.d) - EXTRACT(YEAR FROM f.dob)
               - CASE WHEN EXTRACT(MONTH FROM s.d) * 100 + EXTRACT(DAY FROM s.d)
                           < EXTRACT(MONTH FROM f.dob) * 100 + EXTRACT(DAY FROM f.dob)
                      THEN 1 ELSE 0 END
           END AS age
    FROM subj AS s
    LEFT JOIN child_facts AS f ON f.la_code = s.la_code AND f.child_id = s.subject_id
),
uasc_now AS (
    SELECT DISTINCT s.la_code, s.period_id, s.subject_id, s.attr_date
    FROM subj AS s
    JOIN uasc AS u ON u.la_code = s.la_code AND u.child_id = s.subject_id
    WHERE u.duc IS NULL OR u.duc > s.d
),
episode AS (
    SELECT s.la_code, s.period_id, s.subject_id, s.attr_date, e.place, e.ls,
           e.placement_location,
           ROW_NUMBER() OVER (
               PARTITION BY s.la_code, s.period_id, s.subject_id, s.attr_date
               ORDER BY e.decom DESC
           ) AS rn
    FROM subj AS s
    JOIN episode_locations AS e ON e.la_code = s.la_code AND e.child_id = s.subject_id
    WHERE e.decom <= s.d AND (e.dec IS NULL OR e.dec >= s.period_start)
),
team_now AS (
    SELECT s.la_code, s.period_id, s.subject_id, s.attr_date, t.team, t.worker,
           ROW_NUMBER() OVER (
               PARTITION BY s.la_code, s.period_id, s.subject_id, s.attr_date
               ORDER BY CASE WHEN t.dt IS NULL THEN 1 ELSE 0 END, t.dt DESC
           ) AS rn
    FROM subj AS s
    JOIN child_teams AS t ON t.la_code = s.la_code AND t.child_id = s.subject_id
    WHERE t.dt IS NULL OR t.dt <= s.d
)
SELECT
    a.la_code,
    a.period_id,
    a.subject_id,
    a.attr_date,
    a.sex,
    CASE
        WHEN a.age IS NULL THEN 'unknown'
        WHEN a.age < 1 THEN 'under 1'
        WHEN a.age < 5 THEN '1-4'
        WHEN a.age < 10 THEN '5-9'
        WHEN a.age < 16 THEN '10-15'
        ELSE '16+'
    END AS age_band,
    CASE
        WHEN a.eth IS NULL OR a.eth IN ('REFU', 'NOBT', '') THEN 'Not known'
        WHEN SUBSTRING(a.eth, 1, 1) = 'W' THEN 'White'
        WHEN SUBSTRING(a.eth, 1, 1) = 'M' THEN 'Mixed'
        WHEN SUBSTRING(a.eth, 1, 1) = 'A' THEN 'Asian'
        WHEN SUBSTRING(a.eth, 1, 1) = 'B' THEN 'Black'
        WHEN SUBSTRING(a.eth, 1, 1) IN ('C', 'O') THEN 'Other'
        ELSE 'Not known'
    END AS ethnicity,
    CASE WHEN un.subject_id IS NOT NULL THEN 'UASC' ELSE 'not UASC' END AS uasc,
    COALESCE(ep.place, 'not looked after') AS placement_type,
    CASE
        WHEN ep.subject_id IS NULL THEN 'not looked after'
        ELSE ep.placement_location
    END AS placement_location,
    COALESCE(ep.ls, 'not looked after') AS legal_status,
    COALESCE(a.born_in_la, 'unknown') AS born_in_la,
    tn.team,
    tn.worker
FROM aged AS a
LEFT JOIN uasc_now AS un
    ON un.la_code = a.la_code AND un.period_id = a.period_id AND un.subject_id = a.subject_id
    AND un.attr_date IS NOT DISTINCT FROM a.attr_date
LEFT JOIN episode AS ep
    ON ep.la_code = a.la_code AND ep.period_id = a.period_id AND ep.subject_id = a.subject_id
    AND ep.attr_date IS NOT DISTINCT FROM a.attr_date
    AND ep.rn = 1
LEFT JOIN team_now AS tn
    ON tn.la_code = a.la_code AND tn.period_id = a.period_id AND tn.subject_id = a.subject_id
    AND tn.attr_date IS NOT DISTINCT FROM a.attr_date
    AND tn.rn = 1
