"""Generate Kreis- and Land-sized data in PostgreSQL and print the measurements.

Run from the project root:

    DATABASE_URL=postgres://... .venv/bin/python bench/run.py [--scale kreis|land|all]

Each measurement is a function in MEASUREMENTS that takes the scale's name and returns
its columns of the result table; they run in order, so the first one generates the data
the others measure.
"""

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kispfam.settings")
os.environ.setdefault("DEBUG", "true")

Row = dict[str, object]
Measurement = Callable[[str], Row]


def measure_generate(scale: str) -> Row:
    from bench.generate import CODE_REGEX, generate
    from cooperation.models import Cooperation, Institution, User

    start = time.perf_counter()
    generate(scale)
    seconds = time.perf_counter() - start
    institutions = Institution.objects.filter(cooperation__code__regex=CODE_REGEX)
    return {
        "cooperations": Cooperation.objects.filter(code__regex=CODE_REGEX).count(),
        "institutions": institutions.count(),
        "staff": User.objects.filter(institution__in=institutions).count(),
        "generate s": f"{seconds:.2f}",
    }


MEASUREMENTS: list[Measurement] = [measure_generate]


def print_table(rows: list[Row]) -> None:
    columns = list(dict.fromkeys(column for row in rows for column in row))
    cells = [[str(row.get(column, "")) for column in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["kreis", "land", "all"], default="all")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print(
            "bench/run.py needs PostgreSQL: set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/kispfam_bench "
            ".venv/bin/python bench/run.py",
            file=sys.stderr,
        )
        return 2

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        print(f"bench/run.py needs PostgreSQL, not {connection.vendor}.", file=sys.stderr)
        return 2
    call_command("migrate", interactive=False, verbosity=0)

    from bench.generate import SCALES

    scales = list(SCALES) if args.scale == "all" else [args.scale]
    rows = []
    for scale in scales:
        row: Row = {"scale": scale}
        for measurement in MEASUREMENTS:
            row.update(measurement(scale))
        rows.append(row)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
