-- Missing incidents per child: how many children had 1, 2-4, 5-9, 10+ incidents.
--
-- From answer_missing_incidents (KPI missing_incidents: one member per distinct
-- incident starting in the period, subject_id = the child). No child identifier
-- leaves this query.
WITH per_child AS (
    SELECT subject_id, COUNT(*) AS incidents
    FROM answer_missing_incidents
    GROUP BY subject_id
)
SELECT
    CASE
        WHEN incidents = 1 THEN '1'
        WHEN incidents <= 4 THEN '2-4'
        WHEN incidents <= 9 THEN '5-9'
        ELSE '10+'
    END AS band,
    COUNT(*) AS children,
    SUM(incidents) AS incidents
FROM per_child
GROUP BY 1
