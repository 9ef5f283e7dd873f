"""Time to generate a run report, HTML and PDF: the demo's latest run and a run of 150
results, printed as a table (target: the PDF under 15 s).

    .venv/bin/python bench/report_bench.py [--repeat 3]

Works in a temporary folder (its own SQLite database, media and broker; var/ is left
alone): migrates, loads the demo (`seed_demo`, which evaluates the demo model twice), builds
a synthetic run of 150 results with the tests' factory (five criteria, 144 more drift
results with their distributions), then per run and repeat times the HTML rendering, the
PDF printing (Debian's Chromium through Playwright, started afresh each time, as a worker
does) and the whole `report_generate` (both, plus storing them and their hashes). Prints
the median and the slowest of the repeats.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_PDF_SECONDS = 15.0


def setup(folder: str) -> None:
    os.environ["QUALITI_VAR_DIR"] = folder
    os.environ["DJANGO_SETTINGS_MODULE"] = "qualiti.settings.development"
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", verbosity=0)
    print(f"demo loaded in {time.perf_counter() - started:.1f} s", flush=True)


def runs() -> list[tuple[str, object]]:
    from apps.evaluations.models import EvaluationRun, RunStatus
    from qualiti.demo.seed import DEMO_PROJECT_SLUG
    from tests.reports.factories import ReportedRun

    demo = (
        EvaluationRun.objects.filter(project__slug=DEMO_PROJECT_SLUG, status=RunStatus.SUCCEEDED)
        .order_by("-id")
        .first()
    )
    synthetic = ReportedRun(extra_results=144).run
    return [
        (f"demo run ({demo.results.count()} results)", demo),
        (f"synthetic run ({synthetic.results.count()} results)", synthetic),
    ]


def measure(run, repeat: int) -> dict[str, list[float]]:
    from apps.reports.models import Report, ReportKind, ReportStatus
    from apps.reports.pdf import html_to_pdf
    from apps.reports.render import report_header, report_html
    from apps.reports.services import report_generate

    times: dict[str, list[float]] = {"html": [], "pdf": [], "generate": [], "pages": []}
    for _ in range(repeat):
        report = Report.objects.create(kind=ReportKind.RUN, project=run.project, run=run)
        started = time.perf_counter()
        html = report_html(report)
        times["html"].append(time.perf_counter() - started)
        started = time.perf_counter()
        html_to_pdf(html, header=report_header(report))
        times["pdf"].append(time.perf_counter() - started)
        started = time.perf_counter()
        generated = report_generate(report_id=report.pk)
        times["generate"].append(time.perf_counter() - started)
        if generated.status != ReportStatus.READY:
            raise SystemExit(f"report {report.pk} failed: {generated.error}")
        import pypdf

        times["pages"].append(len(pypdf.PdfReader(generated.pdf.path).pages))
        times.setdefault("html_mb", []).append(generated.html.size / 1e6)
        times.setdefault("pdf_mb", []).append(generated.pdf.size / 1e6)
    return times


def cell(times: dict[str, list[float]], key: str) -> str:
    return f"{statistics.median(times[key]):.2f} ({max(times[key]):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qualiti-report-bench-") as folder:
        setup(folder)
        rows = [(name, measure(run, args.repeat)) for name, run in runs()]
    print()
    print(f"{args.repeat} repeats each; seconds as median (slowest)")
    print()
    print("| run | HTML render | PDF print | generate (both, stored) | pages | HTML MB | PDF MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    verdicts = []
    for name, times in rows:
        print(
            f"| {name} | {cell(times, 'html')} | {cell(times, 'pdf')} | "
            f"{cell(times, 'generate')} | "
            f"{int(times['pages'][0])} | {times['html_mb'][0]:.1f} | {times['pdf_mb'][0]:.2f} |"
        )
        verdicts.append(max(times["generate"]) < TARGET_PDF_SECONDS)
    print()
    print(
        f"target: the PDF (the whole generation) under {TARGET_PDF_SECONDS:.0f} s: "
        + ("met" if all(verdicts) else "NOT met")
    )


if __name__ == "__main__":
    main()
