#!/usr/bin/env bash
# Time seed_demo at scale on PostgreSQL: 100,000 patients × 10 sessions = 1,000,000 sessions
# by default, or pass a patient count. Uses its own database, acuflow_bench.
# Run by hand: bash benchmarks/seed_demo_scale.sh [PATIENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
patients="${1:-100000}"
dropdb -h 127.0.0.1 -U postgres --if-exists acuflow_bench
createdb -h 127.0.0.1 -U postgres acuflow_bench
# DEBUG off, as in production (Django keeps no query log); the demo password is fine on this database.
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/acuflow_bench DEBUG=0 SECRET_KEY=benchmark-only-not-secret
.venv/bin/python manage.py migrate -v0
/usr/bin/time -f "seed_demo: %e s wall, %M KiB max RSS" .venv/bin/python manage.py seed_demo --patients "$patients" --sessions-each 10 --allow-production
psql -h 127.0.0.1 -U postgres acuflow_bench -Atc \
  "select 'patients', count(*) from patients_patient union all
   select 'sessions', count(*) from treatment_sessions_treatmentsession union all
   select 'session points', count(*) from treatment_sessions_treatmentsession_points"
