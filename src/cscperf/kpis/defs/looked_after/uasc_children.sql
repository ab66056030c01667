-- UASC looked after at the period end d: children looked after at d (as
-- cla_children) who appear in the UASC table with DUC (date UASC status
-- ceases) blank or after d.
SELECT
    s.la_code,
    p.period_id,
    s.child_id AS subject_id,
    s.decom AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cla_stock AS s
JOIN periods AS p
    ON p.period_end = s.period_end
WHERE EXISTS (
    SELECT 1
    FROM uasc AS u
    WHERE u.la_code = s.la_code
        AND u.child_id = s.child_id
        AND (u.duc IS NULL OR u.duc > s.period_end)
)
