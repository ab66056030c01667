-- UASC looked after at the period end d: children looked after at d (as
-- cla_children) who appear in the UASC table with DUC (date UASC status
-- ceases) blank or after d.
SELECT
    e.la_code,
    p.period_id,
    e.child_id AS subject_id,
    MAX(e.decom) AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cla_episodes_nsb AS e
JOIN periods AS p
    ON e.decom <= p.period_end
    AND (e.dec IS NULL OR e.dec > p.period_end)
JOIN uasc AS u
    ON u.la_code = e.la_code
    AND u.child_id = e.child_id
WHERE u.duc IS NULL OR u.duc > p.period_end
GROUP BY e.la_code, p.period_id, e.child_id
