-- Care leavers with a current pathway plan (%), local. Cohort at period end d: the care
-- leavers of the Annex A list 9 snapshot loaded for d's reporting year (return_year = the
-- year of the 31 March ending the reporting year that contains d). Numerator: latest
-- pathway plan review dated in [d - 6 months, d] (months clipped to month end). A review
-- dated after d says nothing about d and does not count; a blank date does not count.
SELECT
    c.la_code,
    p.period_id,
    c.child_id AS subject_id,
    c.pathway_plan_review_date AS event_date,
    CAST(
        CASE
            WHEN c.pathway_plan_review_date >= p.period_end - INTERVAL 6 MONTH
                AND c.pathway_plan_review_date <= p.period_end THEN 1
            ELSE 0
        END AS DOUBLE
    ) AS num,
    CAST(1 AS DOUBLE) AS den
FROM care_leavers AS c
JOIN periods AS p
    ON c.return_year = EXTRACT(YEAR FROM p.period_end)
        + CASE WHEN EXTRACT(MONTH FROM p.period_end) >= 4 THEN 1 ELSE 0 END
