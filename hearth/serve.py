"""`make run`: the background-task worker, the reminder sweep (every minute: django-tasks has no scheduler), the
orphaned-upload sweep (hourly), the audit sealer (every two seconds) and the ASGI server together, stopped
together."""

import argparse
import os
import signal
import subprocess
import sys


def server_command(host: str, port: int, workers: int = 1) -> list[str]:
    """The ASGI server's command line (``bench.throughput`` starts the same one): uvicorn with ``workers`` processes,
    each with its own connection pool."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "hearth.asgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--lifespan",
        "off",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    args = parser.parse_args()
    env = dict(os.environ)
    # Fixed argument lists built from our own interpreter path: no shell, no outside input.
    worker = subprocess.Popen([sys.executable, "manage.py", "db_worker"], env=env)
    sweeper = subprocess.Popen([sys.executable, "manage.py", "send_due_reminders", "--every", "60"], env=env)
    files = subprocess.Popen([sys.executable, "manage.py", "sweep_private_files", "--every", "3600"], env=env)
    sealer = subprocess.Popen([sys.executable, "manage.py", "seal_audit", "--every", "2"], env=env)
    server = subprocess.Popen(server_command(args.host, args.port, args.workers), env=env)  # noqa: S603
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for process in (server, worker, sweeper, files, sealer):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in (server, worker, sweeper, files, sealer):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
