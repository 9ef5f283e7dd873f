"""What a person meets on a page, measured in Chromium: axe-core's accessibility violations
(WCAG 2.2 A and AA) and horizontal overflow of the page itself.

axe-core (npm package, MPL-2.0) is vendored under tests/support/vendor/axe-core for the
tests only; the app never serves it.
"""

from collections import deque
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = ("serious", "critical")

# Links a walk must not follow: they change state, leave the pages or fetch files.
SKIPPED_PREFIXES = ("/accounts/logout", "/api/", "/admin/", "/static/", "/media/")
SKIPPED_PARTS = ("/download", "/unsubscribe/", ".csv", ".pdf", ".json", ".md", "/export")


def axe_violations(page, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict]:
    """axe-core's violations on the page as it stands, of the given impacts: each with its
    rule id, impact, help text and the offending nodes' selectors."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)  # through the DevTools protocol: the page's CSP allows it
    result = page.evaluate(
        "tags => axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


def horizontal_overflow(page) -> int:
    """By how many CSS pixels the page is wider than its window (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def page_links(page, origin: str) -> Iterator[str]:
    """Same-origin page links on the current page, without fragments."""
    for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
        url = urldefrag(urljoin(page.url, href))[0]
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        if parts.path.startswith(SKIPPED_PREFIXES) or any(p in url for p in SKIPPED_PARTS):
            continue
        yield url


# Pages named by a key rather than a number: one guide page per check and one per framework
# requirement, each kind drawn by one template (else the guide's ~120 pages would fill the
# walk before it reached the projects).
KEYED_PAGES = (("/guide/checks/", "/guide/checks/<key>/"),
               ("/guide/frameworks/", "/guide/frameworks/<key>/<key>/"))  # fmt: skip


def page_kind(url: str) -> str:
    """A page's kind: its path with every number (and the guide's keys) replaced, so one
    finding page stands for them all and a walk sees each kind of page once."""
    parts = urlsplit(url)
    for prefix, kind in KEYED_PAGES:
        if parts.path.startswith(prefix):
            return kind
    path = "/".join("<n>" if part.isdigit() else part for part in parts.path.split("/"))
    return path + ("?" + parts.query if parts.query and "page=" not in parts.query else "")


def walk_pages(page, base_url: str, *, max_pages: int = 60) -> Iterator[tuple[str, str]]:
    """Breadth first from home, each kind of page once (numbers in the path stand for any
    id): yields (kind, url) with the page loaded, so the caller can look at it before the
    walk reads its links. A page that does not answer 200 fails the walk."""
    seen: set[str] = set()
    queue = deque([f"{base_url}/"])
    while queue and len(seen) < max_pages:
        url = queue.popleft()
        kind = page_kind(url)
        if kind in seen:
            continue
        response = page.goto(url)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        assert response.status == 200, f"{url} answered {response.status}"
        seen.add(kind)
        yield kind, url
        queue.extend(page_links(page, base_url))
