"""Steps of the browser journeys on Qualiti's pages: the flash messages, the project tabs,
a throttled upload with its progress bar, a dataset's validation, the plan editor's
generated check form and the facts lists."""

import re

from playwright.sync_api import expect

from apps.evaluations import engine

UPLOAD_SECONDS = 2.5  # uploads are throttled to about this long, so the bar can be seen


def flash(page):
    return page.locator(".messages")


def project_tab(page, name: str):
    return page.get_by_role("navigation", name="Project").get_by_role("link", name=name, exact=True)


def upload_throttled(page, form_id: str, size: int, done_url: re.Pattern, shoot, name: str):
    """Send the form with the browser's upload bandwidth cut so the upload lasts about
    UPLOAD_SECONDS; see the progress bar part-way, then the page the upload leads to."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    conditions = {"offline": False, "latency": 0, "downloadThroughput": -1}
    cdp.send(
        "Network.emulateNetworkConditions",
        {**conditions, "uploadThroughput": max(size / UPLOAD_SECONDS, 20_000)},
    )
    try:
        page.wait_for_load_state()  # uploads.js listens for the submit
        form = page.locator(f"#{form_id}")
        form.get_by_role("button", name=re.compile("^Upload")).click()
        expect(form.get_by_role("button", name=re.compile("^Upload"))).to_be_disabled()
        bar = form.get_by_role("progressbar", name="Upload progress")
        expect(bar).to_be_visible()
        page.wait_for_function(
            """(id) => {
                const bar = document.querySelector(`#${id} .upload-progress progress`);
                return bar && bar.value > 0 && bar.value < 100;
            }""",
            arg=form_id,
        )
        expect(form.locator(".upload-percent")).to_have_text(re.compile(r"^\d{1,2}%$"))
        shoot(name)
        page.wait_for_url(done_url, timeout=30_000)
    finally:
        cdp.send("Network.emulateNetworkConditions", {**conditions, "uploadThroughput": -1})
        cdp.detach()


def wait_until_valid(page) -> None:
    """The dataset page polls its validation part until the worker has read the file."""
    status = page.locator("#dataset-status .badge").first
    expect(status).to_have_text("Valid", timeout=60_000)


def schema_row(page, column: str):
    return page.locator("table.schema tbody tr").filter(
        has=page.locator("code", has_text=re.compile(f"^{column}$"))
    )


def add_check(page, check_key: str, *, criterion_code: str, fill) -> None:
    """Choose a check in the plan editor; htmx swaps in its generated form; fill, add."""
    # plans.js hides the no-JavaScript "Choose" button once htmx is there to listen.
    expect(page.locator(".check-chooser").get_by_role("button", name="Choose")).to_be_hidden()
    page.get_by_label("Check", exact=True).select_option(check_key)
    name = engine.check_name(check_key)  # the page names checks; the option's value is the key
    form = page.get_by_role("form", name=f"Add check {name}")
    expect(form).to_be_visible()
    criterion = form.get_by_label("Criterion", exact=True)
    expect(criterion.locator("option:checked")).to_have_text(re.compile(f"^{criterion_code} "))
    fill(form)
    form.get_by_role("button", name="Add check").click()
    expect(flash(page)).to_contain_text(f"Added {name} for {criterion_code}.")


def fact(page, term: str):
    return page.locator("dl.facts dt", has_text=re.compile(f"^{term}$")).locator(
        "xpath=following-sibling::dd[1]"
    )
