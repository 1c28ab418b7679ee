-- Activity figures of a SAMU research export, in the manner of the national annual statistics on emergency
-- medical regulation: one row per period with calls, answer rate, files, the share of each regulation
-- priority, medical decisions and SMUR missions with their median departure and arrival delays.
-- Run: sisamu research query EXPORT_DIR --file examples/research/activity_figures.sql
WITH c AS (
    SELECT period,
           count(*) AS calls,
           round(100.0 * avg(CASE WHEN answered THEN 1 ELSE 0 END), 1) AS answered_pct,
           round(100.0 * avg(CASE WHEN answered AND wait_s <= 60 THEN 1 ELSE 0 END), 1) AS within_60s_pct
    FROM calls GROUP BY period
), f AS (
    SELECT period,
           count(*) AS files,
           round(100.0 * avg(CASE WHEN priority = 'P0' THEN 1 ELSE 0 END), 1) AS p0_pct,
           round(100.0 * avg(CASE WHEN priority = 'P1' THEN 1 ELSE 0 END), 1) AS p1_pct,
           round(100.0 * avg(CASE WHEN priority IN ('P2', 'P3') THEN 1 ELSE 0 END), 1) AS p2_p3_pct
    FROM files GROUP BY period
), d AS (
    SELECT files.period, count(*) AS decisions, median(decisions.after_s) AS decision_median_s
    FROM decisions JOIN files USING (file_id) GROUP BY files.period
), m AS (
    SELECT files.period,
           count(*) FILTER (WHERE missions.vehicle LIKE 'SMUR.%') AS smur_missions,
           median(missions.depart_after_s) AS departure_median_s,
           median(missions.arrivee_after_s) AS arrival_median_s
    FROM missions JOIN files USING (file_id) GROUP BY files.period
)
SELECT c.period, c.calls, c.answered_pct, c.within_60s_pct, f.files, f.p0_pct, f.p1_pct, f.p2_p3_pct,
       d.decisions, d.decision_median_s, m.smur_missions, m.departure_median_s, m.arrival_median_s
FROM c
LEFT JOIN f USING (period)
LEFT JOIN d USING (period)
LEFT JOIN m USING (period)
ORDER BY c.period;
