-- The five children with the most missing incidents in the period: their counts only.
--
-- From answer_missing_incidents (KPI missing_incidents). Ties are broken by child_id
-- so the order is stable, but only the counts are returned: the report labels the
-- rows Child A..E, never with an identifier.
SELECT incidents
FROM (
    SELECT subject_id, COUNT(*) AS incidents
    FROM answer_missing_incidents
    GROUP BY subject_id
) AS per_child
ORDER BY incidents DESC, subject_id
LIMIT 5
