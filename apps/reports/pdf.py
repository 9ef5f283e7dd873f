"""The PDF engine: headless Chromium (Debian's, driven by Playwright) prints the report's
HTML, so the PDF comes from the same template and draws the same plotly charts, as vector
graphics, as the HTML file.

Printing never fetches anything: the page gets the HTML as its content and every request
it would make (other than data: and about:) is aborted; the browser starts on a fresh,
empty profile with its background networking off.
"""

import html as html_escaping
import logging
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from qualiti.errors import QualitiError

if TYPE_CHECKING:
    from playwright.sync_api import PdfMargins

logger = logging.getLogger(__name__)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers' /dev/shm is 64 MB: large pages crash there
]
# A4 with 14 mm side margins leaves 182 mm of text width: 688 CSS pixels. The page is laid
# out (and its charts drawn) at that width, so what prints is what was drawn.
PAGE_WIDTH_PX = 688
MARGINS: "PdfMargins" = {"top": "20mm", "bottom": "16mm", "left": "14mm", "right": "14mm"}
# The report's script sets this once plotly has drawn every chart (or at once, with none).
CHARTS_DRAWN = "window.qualitiChartsDrawn === true"
PRINT_TIMEOUT_MS = 60_000

_BAND = "font-size:8px;color:#555;width:100%;padding:0 14mm;font-family:sans-serif;"
HEADER_TEMPLATE = f'<div style="{_BAND}">{{header}}</div>'
FOOTER_TEMPLATE = (
    f'<div style="{_BAND}text-align:right;">Page <span class="pageNumber"></span> of '
    '<span class="totalPages"></span></div>'
)


class PdfEngineError(QualitiError):
    """The PDF could not be printed (no browser, a chart never drawn…): the message says
    why in one line."""


def chromium_executable() -> str:
    """The Chromium to print with, or a clear error saying how to install it."""
    path = Path(settings.QUALITI_CHROMIUM_PATH)
    if not path.exists():
        raise PdfEngineError(
            f"Chromium is not installed at {path}: install Debian's chromium "
            "(apt-get install -y chromium) or set QUALITI_CHROMIUM_PATH."
        )
    return str(path)


def html_to_pdf(html: str, *, header: str) -> bytes:
    """Print a self-contained HTML document to an A4 PDF with `header` on every page and
    page numbers in the footer.

    Playwright's sync API refuses to start inside a running event loop (an async view, or
    a test that already drives a browser in its thread), so the printing runs in a thread
    of its own."""
    executable = chromium_executable()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-pdf") as pool:
        return pool.submit(_print, html, header=header, executable=executable).result()


def _allow_only_inline(route) -> None:
    url = route.request.url
    if url.startswith(("data:", "about:")):
        route.continue_()
    else:
        logger.warning("A report tried to fetch %s while printing; refused.", url[:200])
        route.abort()


def _print(html: str, *, header: str, executable: str) -> bytes:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    header_html = HEADER_TEMPLATE.format(header=html_escaping.escape(header))
    try:
        with (
            tempfile.TemporaryDirectory(prefix="qualiti-chromium-") as profile,
            sync_playwright() as playwright,
        ):
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=executable,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": PAGE_WIDTH_PX, "height": 1000},
                service_workers="block",
            )
            try:
                context.route("**/*", _allow_only_inline)
                page = context.new_page()
                page.set_content(html, wait_until="load", timeout=PRINT_TIMEOUT_MS)
                page.wait_for_function(CHARTS_DRAWN, timeout=PRINT_TIMEOUT_MS)
                return page.pdf(
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template=header_html,
                    footer_template=FOOTER_TEMPLATE,
                    margin=MARGINS,
                )
            finally:
                context.close()
    except PlaywrightError as error:
        first_line = (str(error).strip().splitlines() or ["unknown error"])[0]
        raise PdfEngineError(f"Chromium could not print the report: {first_line}") from error
