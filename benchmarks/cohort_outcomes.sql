-- The cohort table written by hand, for comparison with sessions.outcomes.cohort_outcomes()
-- (benchmarks/outcomes_vs_sql.py runs both). PostgreSQL. Parameters fixed to the defaults:
-- N = 6, reading = post, patients with research consent, no date window.
-- ROUND on numeric rounds half away from zero, as the app does. The 95% CI needs the t
-- quantile, which PostgreSQL lacks: the query returns the unrounded mean and the sample
-- standard deviation of the paired differences, and the script applies t to them.
WITH pairs AS (
    SELECT c.name,
           s1.spo2_pre AS baseline,
           sn.spo2_post AS followup,
           (sn.warmth_change IN ('better', 'much_better') OR sn.clarity_change IN ('better', 'much_better')) AS improved
    FROM treatment_sessions_treatmentsession s1
    JOIN treatment_sessions_treatmentsession sn ON sn.patient_id = s1.patient_id AND sn.number = 6
    JOIN patients_patient p ON p.id = s1.patient_id
    JOIN patients_condition c ON c.id = p.condition_id
    WHERE s1.number = 1 AND p.research_consent
)
SELECT name,
       COUNT(followup - baseline) AS patients,
       COUNT(*) - COUNT(followup - baseline) AS excluded,
       ROUND(AVG(baseline) FILTER (WHERE followup IS NOT NULL), 1) AS baseline_spo2,
       ROUND(AVG(followup) FILTER (WHERE baseline IS NOT NULL), 1) AS followup_spo2,
       ROUND(AVG(followup - baseline), 1) AS delta_spo2,
       AVG(followup - baseline) AS delta_mean,
       STDDEV_SAMP(followup - baseline) AS delta_sd,
       ROUND(100.0 * COUNT(*) FILTER (WHERE improved AND followup - baseline IS NOT NULL)
             / COUNT(followup - baseline)) AS improved_pct
FROM pairs
GROUP BY name
HAVING COUNT(followup - baseline) > 0
ORDER BY LOWER(name), name;
