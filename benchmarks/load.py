"""Load benchmark: gunicorn on PostgreSQL with a worker, driven by locust, headless, at most 60 s.

    pip install -r benchmarks/requirements.txt
    createdb -h 127.0.0.1 -U postgres acuflow_load
    python benchmarks/load.py --database-url postgres://postgres@127.0.0.1:5432/acuflow_load [--users 20]

It migrates and seeds the database (seed_demo, once), starts gunicorn and `manage.py db_worker` on
127.0.0.1 with DEBUG off, then runs three phases against that one server, each user sending its
next request as soon as the last one answered (no pauses):

1. the minimal view (/bench/minimal/: nothing but the middleware), for the server's ceiling;
2. one article page, the same number of users: its throughput as a fraction of (1);
3. the mix: readers on articles, patients sending the free assessment, practitioners opening
   their patient list and patient pages and logging sessions.

It prints requests per second, p50/p95 and errors per page, and stops everything it started.
Only 127.0.0.1 is ever contacted.
"""

# It starts our own manage.py, gunicorn and db_worker and talks only to them, with seed_demo's
# published demo password.
# ruff: noqa: S603, S105, S310

# locust patches the standard library for gevent; it must be imported before anything else.
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import datetime  # noqa: E402
import itertools  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, between, constant, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
PASSWORD = "acuflow-demo"  # seed_demo's published demo password
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_addresses = itertools.count(1)


def _intake_answers():
    """The test suite's complete, valid assessment (patients.tests.factories): what a browser posts."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    django.setup()
    from patients.tests.factories import intake_post_data

    return intake_post_data


class Browser(FastHttpUser):
    """Identifies as a browser: the app does not count reads by obvious bots (content.reads)."""

    abstract = True
    wait_time = constant(0)
    default_headers = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"}


class MinimalReader(Browser):
    @task
    def minimal(self):
        self.client.get("/bench/minimal/", name="minimal view")


class ArticleOnlyReader(Browser):
    wait_time = constant(0)
    slug = None

    @task
    def article(self):
        self.client.get(f"/articles/{self.slug}/", name="article page")


class Reader(Browser):
    weight = 5
    wait_time = constant(0)
    slugs = []

    @task(4)
    def article(self):
        slug = self.slugs[next(_addresses) % len(self.slugs)]
        self.client.get(f"/articles/{slug}/", name="article page")

    @task(1)
    def article_list(self):
        self.client.get("/articles/", name="article list")


class Patient(Browser):
    """Patients, one after another, each on their own connection (X-Forwarded-For through one trusted
    proxy) sending the assessment once, as a real patient does."""

    weight = 2
    wait_time = constant(0)

    def on_start(self):
        self.answers = _intake_answers()

    @task
    def send_assessment(self):
        serial = next(_addresses)
        headers = {"X-Forwarded-For": f"198.18.{serial // 250 % 250}.{serial % 250 + 1}"}
        with self.client.get("/assessment/", name="intake form", headers=headers, catch_response=True) as page:
            token = CSRF.search(page.text or "")
            if not token:
                page.failure("no CSRF token on the form")
                return
        key = uuid.uuid4()
        data = self.answers(email=f"load-{key.hex[:12]}@example.org", submission_key=str(key))
        data["csrfmiddlewaretoken"] = token.group(1)
        body = urllib.parse.urlencode(data, doseq=True)  # the symptoms are a list: one field per ticked box
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self.client.post(
            "/assessment/", data=body, name="intake send", headers=headers, allow_redirects=False, catch_response=True
        ) as sent:
            if sent.status_code != 302:
                sent.failure(f"answered {sent.status_code}, not a redirect to the thanks page")


class Practitioner(Browser):
    weight = 3
    wait_time = constant(0)
    usernames = itertools.cycle(["demo-practitioner", "demo-practitioner-2"])

    def on_start(self):
        page = self.client.get("/accounts/login/", name="sign in form")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/accounts/login/",
            data={"username": next(self.usernames), "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="sign in",
        )
        listing = self.client.get("/practice/", name="workspace: patient list")
        self.refs = sorted(set(re.findall(r'href="/practice/patients/([A-Z0-9-]+)/"', listing.text)))

    @task(3)
    def patient_list(self):
        self.client.get("/practice/", name="workspace: patient list")

    @task(5)
    def patient_page(self):
        if self.refs:
            ref = self.refs[next(_addresses) % len(self.refs)]
            self.client.get(f"/practice/patients/{ref}/", name="workspace: patient page")

    @task(2)
    def log_session(self):
        if not self.refs:
            return
        ref = self.refs[next(_addresses) % len(self.refs)]
        url = f"/practice/patients/{ref}/sessions/new/"
        form = self.client.get(url, name="workspace: session form")
        token = CSRF.search(form.text)
        if not token:
            return
        now = datetime.datetime.now().strftime("%Y-%m-%dT%H:%M")
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "started_at": now,
            "points": "ST36 PC6",
            "needle_gauge": "0.20",
            "retention_minutes": "20",
            "spo2_pre": "95",
            "spo2_post": "97",
            "pulse_pre": "72",
            "pulse_post": "68",
            "warmth_change": "better",
            "clarity_change": "same",
            "acknowledge_safety": "on",
        }
        with self.client.post(
            url, data=data, name="workspace: log session", allow_redirects=False, catch_response=True
        ) as saved:
            if saved.status_code not in (302, 200):  # 200: the form asked for a confirmation
                saved.failure(f"answered {saved.status_code}")


def _free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _run_phase(user_classes, *, users, seconds, base_url):
    environment = Environment(user_classes=user_classes, host=base_url)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(seconds)
    runner.quit()
    for error in environment.stats.errors.values():
        print(f"error: {error.name}: {error.error} ({error.occurrences}×)")
    return environment.stats


def _rows(stats, seconds):
    rows = []
    for entry in sorted(stats.entries.values(), key=lambda entry: entry.name):
        rows.append(
            {
                "page": entry.name,
                "requests": entry.num_requests,
                "rps": entry.num_requests / seconds,
                "p50": entry.get_response_time_percentile(0.5),
                "p95": entry.get_response_time_percentile(0.95),
                "errors": entry.num_failures,
            }
        )
    return rows


def _print_table(title, rows):
    print(f"\n{title}")
    print(f"{'page':32} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'errors':>7}")
    for row in rows:
        print(
            f"{row['page']:32} {row['requests']:>9} {row['rps']:>8.1f} {row['p50']:>7.0f} {row['p95']:>7.0f} "
            f"{row['errors']:>7}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database for the benchmark")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread when > 1)")
    parser.add_argument("--seconds", type=int, default=60, help="all three phases together, at most 60")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--patients", type=int, default=500, help="demo patients seeded on the first run")
    parser.add_argument(
        "--pause",
        type=float,
        default=0,
        help="seconds each user of the mix waits between requests, on average (default 0: no pauses)",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("the benchmark runs on PostgreSQL")
    seconds = min(args.seconds, 60)
    calibration = max(5, seconds // 6)
    mixed = seconds - 2 * calibration

    port = _free_port()
    base_url = f"http://{HOST}:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.load_settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-not-a-secret-" + "x" * 32,
        "DATABASE_URL": args.database_url,
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": base_url,
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on 127.0.0.1, no TLS proxy in front
        # The simulated practitioners sign in with a password only: the second factor's one extra
        # form per sign-in is not what this measures (sign-ins are a sliver of the mix).
        "TWO_FACTOR_REQUIRED": "0",
        "CACHE_URL": args.cache_url,
        "TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "TRUSTED_PROXIES": "1",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    os.environ.update(env)  # this process imports the test suite's assessment answers
    _intake_answers()
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*manage, "seed_demo", "--allow-production", "--patients", str(args.patients)],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [*manage, "shell", "-v", "0", "-c", "from django.core.cache import cache; cache.clear()"], env=env, cwd=ROOT
    )
    gunicorn = [
        str(Path(python).with_name("gunicorn")),
        "clinic.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "/dev/null",
    ]
    if args.threads > 1:
        gunicorn += ["--worker-class", "gthread", "--threads", str(args.threads)]
    started = [
        subprocess.Popen(gunicorn, env=env, cwd=ROOT),
        subprocess.Popen([*manage, "db_worker", "--no-reload", "-v", "0"], env=env, cwd=ROOT),
    ]
    try:
        for _ in range(100):
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        slugs = subprocess.run(
            [
                *manage,
                "shell",
                "-v",
                "0",
                "-c",
                "from content.selectors import articles_public as a; print(*a().values_list('slug', flat=True))",
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        Reader.slugs = slugs
        ArticleOnlyReader.slug = slugs[0]
        for path in ["/bench/minimal/", f"/articles/{slugs[0]}/", "/articles/", "/assessment/"]:  # warm every worker
            for _ in range(args.workers * 2):
                urllib.request.urlopen(base_url + path, timeout=10).read()  # noqa: S310 - our own 127.0.0.1 server

        if args.pause:
            for user_class in (Reader, Patient, Practitioner):
                user_class.wait_time = between(args.pause / 2, args.pause * 1.5)
        pace = f"mix pausing {args.pause:g} s on average" if args.pause else "no pauses"
        print(f"{args.users} users, {pace}, gunicorn {args.workers} workers × {args.threads} thread(s), 2 CPUs")
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        minimal = _rows(
            _run_phase([MinimalReader], users=args.users, seconds=calibration, base_url=base_url), calibration
        )
        article = _rows(
            _run_phase([ArticleOnlyReader], users=args.users, seconds=calibration, base_url=base_url), calibration
        )
        mix = _rows(
            _run_phase([Reader, Patient, Practitioner], users=args.users, seconds=mixed, base_url=base_url), mixed
        )
        _print_table(f"Phase 1: minimal view only ({calibration} s)", minimal)
        _print_table(f"Phase 2: one article page only ({calibration} s)", article)
        _print_table(f"Phase 3: the mix ({mixed} s)", mix)
        ratio = article[0]["rps"] / minimal[0]["rps"]
        workspace = [row for row in mix if row["page"].startswith("workspace")]
        total = sum(row["requests"] for row in mix)
        print(f"\nmix: {total / mixed:.1f} requests/s, {sum(row['errors'] for row in mix)} errors in all")
        print(f"article page throughput / minimal view: {ratio:.2f} (goal ≥ 0.6)")
        print(f"slowest workspace p95: {max(row['p95'] for row in workspace):.0f} ms (goal < 150 ms)")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
