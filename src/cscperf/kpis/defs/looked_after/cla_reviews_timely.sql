-- CLA reviews held in the period that were on time (local measure).
-- Members: one per review with REVIEW date in the period (den = 1).
-- Each review is placed in the child's period of care that contains it
-- (poc_start <= review <= poc_end or poc_end open; the latest such period if
-- two touch on the same day) and numbered within it, counting reviews before
-- the period too. On time (num = 1):
--   1st review: wd(poc_start, review) <= 20 working days (calendar join);
--   2nd review: review <= 1st review + 3 months;
--   later ones: review <= previous review + 6 months.
-- Reviews outside any non-short-break period of care are not members.
WITH poc AS (
    SELECT DISTINCT la_code, child_id, poc_start, poc_end
    FROM cla_periods_of_care
),
placed AS (
    SELECT la_code, child_id, review, poc_start
    FROM (
        SELECT
            r.la_code,
            r.child_id,
            r.review,
            poc.poc_start,
            ROW_NUMBER() OVER (
                PARTITION BY r.la_code, r.child_id, r.review ORDER BY poc.poc_start DESC
            ) AS rn
        FROM cla_reviews AS r
        JOIN poc
            ON poc.la_code = r.la_code
            AND poc.child_id = r.child_id
            AND poc.poc_start <= r.review
            AND (poc.poc_end IS NULL OR r.review <= poc.poc_end)
    ) AS x
    WHERE rn = 1
),
numbered AS (
    SELECT
        la_code,
        child_id,
        review,
        poc_start,
        ROW_NUMBER() OVER (PARTITION BY la_code, child_id, poc_start ORDER BY review) AS review_no,
        LAG(review) OVER (PARTITION BY la_code, child_id, poc_start ORDER BY review) AS prev_review
    FROM placed
)
SELECT
    n.la_code,
    p.period_id,
    n.child_id AS subject_id,
    n.review AS event_date,
    CAST(
        CASE
            WHEN n.review_no = 1
                AND GREATEST(cr.working_day_number - cs.working_day_number, 0) <= 20 THEN 1
            WHEN n.review_no = 2 AND n.review <= n.prev_review + INTERVAL 3 MONTH THEN 1
            WHEN n.review_no >= 3 AND n.review <= n.prev_review + INTERVAL 6 MONTH THEN 1
            ELSE 0
        END AS DOUBLE
    ) AS num,
    CAST(1 AS DOUBLE) AS den
FROM numbered AS n
JOIN periods AS p
    ON n.review >= p.period_start
    AND n.review <= p.period_end
JOIN calendar AS cs
    ON cs.date = n.poc_start
JOIN calendar AS cr
    ON cr.date = n.review
