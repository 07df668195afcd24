"""``python -m bench.throughput``: audited chart reads per second from the real server with 1 and with 2 processes.

What production runs, on loopback: a fresh PostgreSQL database (``bench_<name>`` beside the one ``DATABASE_URL``
names, dropped afterwards), ``manage.py migrate`` (row-level security included), the chart scenario's data (a clinic
of 100,000 clients, one client with 500 appointments, 500 documents and 50 diagnoses), the audit sealer
(``seal_audit --every 2``), and uvicorn started by ``hearth.serve.server_command`` with ``--workers N`` and the
psycopg pool (``HEARTH_DB_POOL_MIN``/``MAX``). The clinician signs in through the login form; then ``wrk`` (Debian's
package) sends requests with that session's cookies for a fixed time: the login page (anonymous), the signed-in
baseline (``/__bench__/baseline``, added by ``bench.server_settings``) and the chart overview (an audited read).

Each run prints requests per second in all and per process, wrk's latency percentiles, the CPU seconds the server's
processes and the database's backends used (read from ``/proc``), and for the chart how many audit events were
written (counted in the database before and after) against the number of responses. Every response must be a 200
(a Lua hook in wrk counts the others): a redirect to the login page would otherwise look like a fast chart.
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg

PORT = 8765
LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("latency p%d %.3f\\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("not200 %d\\nrequests %d\\n", total, summary.requests))
end
"""


@dataclass(frozen=True)
class Rate:
    """One wrk run against one page."""

    page: str
    workers: int
    seconds: float
    requests: int
    not_200: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    server_cpu: float  # CPU seconds of the uvicorn processes during the run
    database_cpu: float  # CPU seconds of this database's PostgreSQL backends during the run
    load_tool_cpu: float
    audit_events: int | None  # events written during the run (chart pages only)
    served: int  # 200s the server's access log shows, including requests wrk stopped waiting for

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def _cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of these processes, from /proc (ticks)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (uvicorn's supervisor and its workers)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
        for child in children:
            found.extend(_tree(int(child)))
    return found


class Bench:
    def __init__(self, args: argparse.Namespace, url: str, var_dir: Path) -> None:
        self.args = args
        self.url = url
        self.dbname = urlsplit(url).path.lstrip("/")
        self.host = f"harbor.localhost:{args.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.server_settings",
            "DATABASE_URL": url,
            "HEARTH_VAR_DIR": str(var_dir),
            "HEARTH_SECRET_KEY": secrets.token_urlsafe(50),
            "HEARTH_AUDIT_KEY": secrets.token_urlsafe(48),
            "HEARTH_AUDIT_CHECKPOINT_PATH": str(var_dir / "audit-checkpoints"),
            "HEARTH_SECURE_COOKIES": "false",
            "HEARTH_PUBLIC_PORT": str(args.port),
            "HEARTH_DB_POOL_MIN": str(args.pool_min),
            "HEARTH_DB_POOL_MAX": str(args.pool_max),
            "HEARTH_LOG_LEVEL": "WARNING",
        }
        self.cookies = ""
        self.chart_path = ""
        self.password = ""

    # The database, as its owner.
    def sql(self, query: str, params=()) -> list[tuple]:
        with psycopg.connect(self.url, autocommit=True) as db:
            return db.execute(query, params).fetchall()

    def backend_pids(self) -> list[int]:
        return [pid for (pid,) in self.sql("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.dbname])]

    def audit_events(self) -> int:
        return self.sql("SELECT count(*) FROM audit_auditevent")[0][0]

    def served(self, workers: int, path: str) -> int:
        """Requests for ``path`` the server answered 200, from its access log: wrk does not count those still in
        flight when its time is up, but the server wrote their audit events."""
        log = Path(self.env["HEARTH_VAR_DIR"]) / f"server-{workers}.log"
        return log.read_text().count(f'"GET {path} HTTP/1.1" 200')

    def create_database(self) -> None:
        maintenance = urlunsplit(urlsplit(self.url)._replace(path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{self.dbname}"')

    def drop_database(self) -> None:
        maintenance = urlunsplit(urlsplit(self.url)._replace(path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    def migrate_and_load(self) -> None:
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=self.env, check=True)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=self.env, check=True)
        # The loader is the chart scenario's, run in a child so this process never holds Django's state.
        code = (
            f"import django; django.setup(); from bench import chart; c = chart.load(clients={self.args.clients}); "
            "print(c.client.pk, chart.PASSWORD)"
        )
        out = subprocess.run([sys.executable, "-c", code], env=self.env, check=True, capture_output=True, text=True)
        pk, self.password = out.stdout.strip().splitlines()[-1].split(" ", 1)
        self.chart_path = f"/clients/{pk}/"

    # HTTP, on loopback.
    def request(
        self, method: str, path: str, body: str = "", headers=None, anonymous: bool = False
    ) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=30)
        cookies = {"Cookie": self.cookies} if self.cookies and not anonymous else {}
        all_headers = {"Host": self.host, **cookies, **(headers or {})}
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        response.read_body = response.read()  # type: ignore[attr-defined]
        connection.close()
        return response

    def wait_ready(self, server: subprocess.Popen) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError("the server exited while starting")
            try:
                if self.request("GET", "/login/", anonymous=True).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("the server did not answer within 90 s")

    def sign_in(self) -> None:
        """The clinician signs in through the real login form; the session's cookies are kept for wrk."""
        page = self.request("GET", "/login/")
        jar = dict(re.findall(r"^([^=;]+)=([^;]*)", h, re.M)[0] for h in page.headers.get_all("Set-Cookie") or [])
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read_body).group(1).decode()  # type: ignore[attr-defined]
        self.cookies = "; ".join(f"{k}={v}" for k, v in jar.items())
        form = urlencode({"csrfmiddlewaretoken": token, "username": "clinician", "password": self.password})
        answer = self.request(
            "POST",
            "/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://{self.host}"},
        )
        if answer.status != 302:
            raise RuntimeError(f"sign-in answered {answer.status}, expected a redirect")
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, value = re.findall(r"^([^=;]+)=([^;]*)", header)[0]
            jar[name] = value
        self.cookies = "; ".join(f"{k}={v}" for k, v in jar.items())
        chart = self.request("GET", self.chart_path)
        if chart.status != 200 or b'aria-current="page">Overview' not in chart.read_body:  # type: ignore[attr-defined]
            raise RuntimeError(f"the chart answered {chart.status} after signing in")

    def wrk(self, path: str, seconds: int, signed_in: bool, script: Path) -> tuple[dict[str, float], float]:
        command = [
            "wrk",
            f"-t{self.args.threads}",
            f"-c{self.args.connections}",
            f"-d{seconds}s",
            "-s",
            str(script),
            "-H",
            f"Host: {self.host}",
        ]
        if signed_in:
            command += ["-H", f"Cookie: {self.cookies}"]
        process = subprocess.Popen(
            [*command, f"http://127.0.0.1:{self.args.port}{path}"], stdout=subprocess.PIPE, text=True
        )
        output = process.stdout.read()  # type: ignore[union-attr]
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise RuntimeError(f"wrk failed: {output}")
        values = {}
        for line in output.splitlines():
            if m := re.match(r"latency p(\d+) ([\d.]+)$", line):
                values[f"p{m[1]}"] = float(m[2])
            elif m := re.match(r"(not200|requests) (\d+)$", line):
                values[m[1]] = float(m[2])
        return values, usage.ru_utime + usage.ru_stime

    def measure(self, page: str, path: str, workers: int, server: subprocess.Popen, script: Path) -> Rate:
        signed_in = page != "login page"
        self.wrk(path, self.args.warmup, signed_in, script)
        server_pids, backends = _tree(server.pid), self.backend_pids()
        events = self.audit_events() if page == "chart overview" else None
        served = self.served(workers, path)
        cpu_server, cpu_db = _cpu_seconds(server_pids), _cpu_seconds(backends)
        started = time.monotonic()
        values, tool_cpu = self.wrk(path, self.args.duration, signed_in, script)
        elapsed = time.monotonic() - started
        cpu_server, cpu_db = _cpu_seconds(server_pids) - cpu_server, _cpu_seconds(backends) - cpu_db
        if events is not None:
            time.sleep(1)  # requests wrk gave up on at its deadline may still be finishing
            events = self.audit_events() - events
        served = self.served(workers, path) - served
        return Rate(
            page,
            workers,
            min(elapsed, self.args.duration),
            int(values["requests"]),
            int(values["not200"]),
            values["p50"],
            values["p90"],
            values["p99"],
            cpu_server,
            cpu_db,
            tool_cpu,
            events,
            served,
        )

    def run_server(self, workers: int, script: Path) -> list[Rate]:
        from hearth.serve import server_command

        log = open(Path(self.env["HEARTH_VAR_DIR"]) / f"server-{workers}.log", "w")  # noqa: SIM115
        server = subprocess.Popen(
            server_command("127.0.0.1", self.args.port, workers), env=self.env, stdout=log, stderr=log
        )
        try:
            self.wait_ready(server)
            if not self.cookies:
                self.sign_in()
            pages = [("login page", "/login/"), ("signed-in baseline", "/__bench__/baseline")]
            pages.append(("chart overview", self.chart_path))
            return [self.measure(page, path, workers, server, script) for page, path in pages]
        except RuntimeError:
            log.flush()
            print(Path(log.name).read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()


def report(rates: list[Rate]) -> str:
    lines = [
        f"{'workers':>7}  {'page':<18}  {'req/s':>7}  {'per proc':>8}  {'p50 ms':>7}  {'p99 ms':>7}  "
        f"{'app CPU ms/req':>14}  {'DB CPU ms/req':>13}  {'req/app-CPU-s':>13}  {'non-200':>7}  {'audit events':>12}",
    ]
    lines.append("-" * len(lines[0]))
    for r in rates:
        events = f"{r.audit_events} ({r.audit_events / r.served:.2f}/read)" if r.audit_events is not None else ""
        lines.append(
            f"{r.workers:>7}  {r.page:<18}  {r.per_second:>7.1f}  {r.per_second / r.workers:>8.1f}  "
            f"{r.p50_ms:>7.1f}  {r.p99_ms:>7.1f}  {1000 * r.server_cpu / r.requests:>14.2f}  "
            f"{1000 * r.database_cpu / r.requests:>13.2f}  {r.requests / r.server_cpu:>13.1f}  {r.not_200:>7}  "
            f"{events:>12}"
        )
    chart = {r.workers: r for r in rates if r.page == "chart overview"}
    base = {r.workers: r for r in rates if r.page == "signed-in baseline"}
    if 1 in chart and 2 in chart:
        lines.append(
            f"chart reads/s, 2 processes vs 1: {chart[2].per_second / chart[1].per_second:.2f}x "
            f"(signed-in baseline: {base[2].per_second / base[1].per_second:.2f}x)"
        )
    for workers, r in sorted(chart.items()):
        lines.append(
            f"{workers} process(es): {r.per_second:.0f} audited chart reads/s, {r.requests / r.server_cpu:.0f} per "
            f"second of app CPU, {r.requests / (r.server_cpu + r.database_cpu):.0f} per second of app + database CPU; "
            f"chart costs {base[workers].per_second / r.per_second:.2f}x the signed-in baseline in throughput"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, action="append", help="uvicorn processes (repeat; default 1 and 2)")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per page (default 15)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed seconds of load per page first (default 3)")
    parser.add_argument("--connections", type=int, default=8, help="wrk's open connections (default 8)")
    parser.add_argument("--threads", type=int, default=1, help="wrk's threads (default 1: it shares the cores)")
    parser.add_argument("--clients", type=int, default=100_000, help="clients in the clinic (default 100,000)")
    parser.add_argument("--pool-min", type=int, default=2, help="HEARTH_DB_POOL_MIN for each process (default 2)")
    parser.add_argument("--pool-max", type=int, default=4, help="HEARTH_DB_POOL_MAX for each process (default 4)")
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--no-sealer", action="store_true", help="don't run the audit sealer beside the server")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        parser.error("set DATABASE_URL to a PostgreSQL database; bench_<its name> is created beside it and dropped")
    if shutil.which("wrk") is None:
        parser.error("wrk is missing: apt-get install wrk (make bench-throughput installs it)")
    parts = urlsplit(url)
    url = urlunsplit(parts._replace(path=f"/bench_{parts.path.lstrip('/')}"))
    with tempfile.TemporaryDirectory(prefix="hearth-throughput-") as var:
        var_dir = Path(var)
        (var_dir / "static").mkdir()
        script = var_dir / "count.lua"
        script.write_text(LUA)
        bench = Bench(args, url, var_dir)
        started = time.monotonic()
        bench.create_database()
        sealer = None
        try:
            bench.migrate_and_load()
            loaded = time.monotonic() - started
            if not args.no_sealer:
                sealer = subprocess.Popen([sys.executable, "manage.py", "seal_audit", "--every", "2"], env=bench.env)
            with open("/proc/loadavg") as f:
                load = f.read().split()[:3]
            rates = [rate for workers in args.workers or [1, 2] for rate in bench.run_server(workers, script)]
            with open("/proc/loadavg") as f:
                load_after = f.read().split()[:3]
        finally:
            if sealer is not None:
                sealer.send_signal(signal.SIGINT)
                sealer.wait(timeout=20)
            bench.drop_database()
    print(
        f"Hearth throughput on {os.cpu_count()} cores: {args.clients:,} clients loaded in {loaded:.0f}s; wrk "
        f"-t{args.threads} -c{args.connections}, {args.duration:.0f}s per page after {args.warmup:.0f}s warm-up; "
        f"pool {args.pool_min}-{args.pool_max}; sealer {'off' if args.no_sealer else 'on'}; "
        f"load average {' '.join(load)} before, {' '.join(load_after)} after."
    )
    print(report(rates))
    bad = sum(r.not_200 for r in rates)
    missing = [r for r in rates if r.audit_events is not None and r.audit_events < r.served]
    if bad or missing:
        print(f"FAILED: {bad} responses were not 200; {len(missing)} chart runs wrote fewer events than reads")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
