"""``python -m bench``: create a throwaway database, load each scenario's data, time its requests, print a table.

The environment is set before Django is imported: the test settings (fast password hasher, in-process tasks)
and a temporary var dir, so nothing lands in the working tree. ``DATABASE_URL`` selects PostgreSQL; Django's
test-database machinery then creates ``test_<name>`` beside it and drops it afterwards.
"""

import argparse
import os
import sys
import tempfile
from importlib import import_module
from pathlib import Path
from time import perf_counter

# One module per scenario; each has ``cases() -> list[Case]`` that loads its own data.
SCENARIOS = (
    "bench.staff_list",
    "bench.client_search",
    "bench.schedule_week",
    "bench.chart",
    "bench.notes",
    "bench.measures_chart",
)


def run(var_dir: Path, *, warmup: int, iterations: int, scenarios: tuple[str, ...] = SCENARIOS) -> None:
    """Set Django up (the environment is ready by now), then measure inside a fresh test database."""
    import django

    django.setup()

    from django.db import connection
    from django.test import override_settings

    from bench import baseline
    from bench.harness import database, measure, table

    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(var_dir / "bench.sqlite3")  # a file, not Django's :memory:
    original_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with override_settings(ROOT_URLCONF="bench.urls"):
            started = perf_counter()
            cases = [baseline.case()] + [case for name in scenarios for case in import_module(name).cases()]
            loaded = perf_counter() - started
            if connection.vendor == "postgresql":
                # A live database has planner statistics (autovacuum); freshly bulk-loaded tables do not.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            results = measure(cases, warmup=warmup, iterations=iterations)
        print(f"Hearth bench on {database()}: data loaded in {loaded:.1f}s, then {warmup} warm-up and")
        print(f"{iterations} timed requests per row, rows interleaved; queries counted on one extra request.")
        print(table(results))
    finally:
        if getattr(connection, "pool", None) is not None:
            connection.close_pool()  # the pool's connections to the test database would block dropping it
        connection.creation.destroy_test_db(original_name, verbosity=0)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300, help="timed requests per scenario (default 300)")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests per scenario first (default 30)")
    parser.add_argument(
        "--only",
        action="append",
        choices=[name.removeprefix("bench.") for name in SCENARIOS],
        help="run only this scenario (repeat for several); the baseline always runs",
    )
    args = parser.parse_args()
    scenarios = tuple(f"bench.{name}" for name in args.only) if args.only else SCENARIOS
    if args.iterations < 2 or args.warmup < 0:
        parser.error("--iterations must be at least 2 (percentiles need two samples), --warmup at least 0")
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as var_dir:
        os.environ["DJANGO_SETTINGS_MODULE"] = "hearth.test_settings"  # overrides the Makefile's hearth.settings
        os.environ["HEARTH_VAR_DIR"] = var_dir
        (Path(var_dir) / "static").mkdir()  # STATIC_ROOT; WhiteNoise warns when it is missing
        run(Path(var_dir), warmup=args.warmup, iterations=args.iterations, scenarios=scenarios)
    return 0


if __name__ == "__main__":
    sys.exit(main())
