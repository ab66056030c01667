-- Time in care before returning home, by the 903 reason episode ceased.
--
-- Starts from the members of the KPI cla_returned_home_days
-- (answer_cla_returned_home_days): one row per child whose last cessation in the
-- period has REC E4A or E4B; num = days from the start of that period of care to
-- the cessation (DEC = event_date). The REC is read back from the ceasing episode
-- (cla_cessations, the shared view of cessations) to split E4A from E4B.
-- Rows: one per REC, and the total (rec NULL) from the same children.
WITH members AS (
    SELECT
        m.subject_id,
        m.num AS days,
        (
            SELECT MAX(c.rec)
            FROM cla_cessations AS c
            WHERE c.la_code = m.la_code
                AND c.child_id = m.subject_id
                AND c.dec = m.event_date
                AND c.rec IN ('E4A', 'E4B')
        ) AS rec
    FROM answer_cla_returned_home_days AS m
)
SELECT
    rec,
    COUNT(*) AS children,
    AVG(days) AS mean_days,
    MEDIAN(days) AS median_days
FROM members
GROUP BY ROLLUP (rec)
