-- oc3_cohort: the care leavers of each reporting-year period of the KPI.
--
-- Why: the four care leaver indicators share this cohort; one definition keeps
-- their age bands and exclusions in step.
--
-- OC3 rows of the return for the period's reporting year (OC3 is never merged
-- across years) whose 17th to 21st birthday falls in that year, excluding
-- IN_TOUCH DIED and RHOM (not in touch, refused and no longer requires stay).
-- age_group: '17-18' when the 17th or 18th birthday is in the year, i.e. dob in
-- [start - 18 years, start - 16 years), where start is 1 April; '19-21' when the
-- 19th, 20th or 21st is, i.e. dob in [start - 21 years, start - 18 years).
-- Columns: every oc3 column, plus period_id and age_group.
SELECT
    o.*,
    p.period_id,
    CASE WHEN o.dob >= p.period_start - INTERVAL 18 YEAR THEN '17-18' ELSE '19-21' END
        AS age_group
FROM oc3 AS o
JOIN periods AS p
    ON o.return_year = EXTRACT(YEAR FROM p.period_start) + 1
    AND o.dob >= p.period_start - INTERVAL 21 YEAR
    AND o.dob < p.period_start - INTERVAL 16 YEAR
WHERE o.in_touch IS NULL
    OR o.in_touch NOT IN ('DIED', 'RHOM')
