"""ledger serve as a person uses it: a real headless Chromium (Debian's ``chromium``
and ``chromium-driver``, driven by Selenium) on a real server over a demo-like ledger.

Outside CI these skip with a reason when the browser is missing; under ``CI=true`` a
missing browser is a failure (``.ci/run`` installs it). Each page's screenshot is saved
under the test's temporary folder; with ``LEDGER_WEB_SCREENSHOTS=DIR`` they are copied
there too (``LEDGER_WEB_SCREENSHOTS=docs/web`` refreshes the ones docs/web.md shows).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ledger
from conftest import IN_CI, SHARED_DATA
from web_support import AS_OF, demo_ledger, running_server

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1200,1000",
)  # fmt: skip
EXPORT = (
    SHARED_DATA
    / "linkedin"
    / "abhishekwebcode__Abhishek-Mathur-Complete_LinkedInDataExport_11-04-2018"
)
PAGES = {
    "week": f"/?as_of={AS_OF}",
    "person": f"/person?key=jon&as_of={AS_OF}",
    "network": f"/network?as_of={AS_OF}",
    "intros": f"/intros?target=emma&as_of={AS_OF}",
    "log": f"/log?as_of={AS_OF}",
    "audit": f"/audit?as_of={AS_OF}",
}


def _browser_or_skip() -> None:
    missing = [str(p) for p in (CHROMIUM, DRIVER) if not p.exists()]
    if not missing:
        return
    install = "apt-get install chromium chromium-driver"
    reason = f"no headless browser: {', '.join(missing)} missing ({install})"
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    _browser_or_skip()
    url = demo_ledger(tmp_path_factory.mktemp("browser") / "ledger.db")
    with running_server(url) as found:
        yield found


@pytest.fixture(scope="module")
def driver(served: tuple[Any, str]) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium fetch a driver
    options = Options()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="ledger-chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opened = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    opened.set_page_load_timeout(60)
    opened.get(served[1])  # the printed address: the token becomes a cookie
    try:
        yield opened
    finally:
        opened.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _base(served: tuple[Any, str]) -> str:
    return served[1].split("/?", 1)[0]


def _wait(driver: Any, test: Any, seconds: float = 60) -> Any:
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (NoSuchElementException, StaleElementReferenceException)  # a page reloading
    return WebDriverWait(driver, seconds, 0.1, ignored_exceptions=ignored).until(test)


def _shot(driver: Any, folder: Path, name: str) -> Path:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1200, max(600, min(int(height) + 40, 4000)))
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1200, 1000)
    copy_to = os.environ.get("LEDGER_WEB_SCREENSHOTS")
    if copy_to:
        Path(copy_to).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(copy_to) / path.name)
    return path


def test_every_page_opens_offline_without_errors(
    driver: Any, served: tuple[Any, str], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    for name, path in PAGES.items():
        driver.get(_base(served) + path)
        _wait(driver, lambda d: d.find_elements(By.TAG_NAME, "h1"))
        heading = driver.find_element(By.TAG_NAME, "h1").text
        assert (heading and heading != "Working on it") or _wait(
            driver, lambda d: d.find_element(By.TAG_NAME, "h1").text != "Working on it"
        )
        assert "Refused" not in heading and "wrong" not in heading, (name, heading)
        nav = driver.find_element(By.CSS_SELECTOR, "nav a[href^='/network']").get_attribute("href")
        assert f"as_of={AS_OF}" in nav  # the as-of date travels with every link
        assert _shot(driver, tmp_path, name).stat().st_size > 10_000
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, (name, errors)  # no CSP violation, nothing failed to load
    assert driver.execute_script("return typeof htmx") == "object"  # the vendored htmx ran


def test_a_touch_logged_in_the_form_shows_on_the_person_s_page(
    driver: Any, served: tuple[Any, str], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    shell = served[0]
    driver.get(_base(served) + "/log")
    Select(driver.find_element(By.NAME, "kind")).select_by_visible_text("call")
    driver.find_element(By.NAME, "initiator").clear()
    driver.find_element(By.NAME, "initiator").send_keys("ana")
    driver.find_element(By.NAME, "counterparts").send_keys("nobody-known")
    driver.find_element(By.NAME, "note").send_keys("from the browser <b>bold</b>")
    driver.find_element(By.CSS_SELECTOR, "form.log button").click()
    error = _wait(driver, lambda d: d.find_elements(By.ID, "log-error"))[0].text
    assert error == "counterparts: unknown person 'nobody-known' (add them first)"
    _shot(driver, tmp_path, "log-error")
    field = driver.find_element(By.NAME, "counterparts")
    field.clear()
    field.send_keys("lena")
    driver.find_element(By.CSS_SELECTOR, "form.log button").click()
    notice = _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "p.notice"))[0].text
    assert notice.startswith("recorded call from ana at ")
    driver.get(_base(served) + "/person?key=lena")
    rows = driver.find_elements(By.CSS_SELECTOR, "table.timeline tbody tr")
    assert "from the browser <b>bold</b>" in rows[0].text  # newest first, shown as typed
    with ledger.open(shell.book.url) as book:
        notes = [tp.note for tp in book.timeline("ana", "lena")]
    assert notes[-1] == "from the browser <b>bold</b>"


def test_a_snoozed_person_leaves_this_week(driver: Any, served: tuple[Any, str]) -> None:
    from selenium.webdriver.common.by import By

    driver.get(_base(served) + f"/?as_of={AS_OF}")
    first = driver.find_element(By.CSS_SELECTOR, "li.reminder")
    person = first.get_attribute("data-person")
    first.find_element(By.NAME, "reason").send_keys("travelling")
    first.find_element(By.XPATH, ".//button[text()='Snooze']").click()
    notice = _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "p.notice"))[0].text
    assert notice.startswith(f"snoozed {person} until ")
    shown = [
        li.get_attribute("data-person")
        for li in driver.find_elements(By.CSS_SELECTOR, "li.reminder")
    ]
    assert person not in shown
    assert "travelling" in driver.find_element(By.TAG_NAME, "main").text


def test_an_uploaded_linkedin_export_shows_its_summary(
    driver: Any, served: tuple[Any, str], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    if not EXPORT.is_dir():
        if IN_CI:
            pytest.fail(f"CI=true but the LinkedIn export {EXPORT} is missing")
        pytest.skip(f"no LinkedIn export at {EXPORT}")
    archive = shutil.make_archive(str(tmp_path / "Basic_LinkedInDataExport"), "zip", EXPORT)
    driver.get(_base(served) + "/log")
    driver.find_element(By.NAME, "file").send_keys(archive)
    driver.find_element(By.CSS_SELECTOR, "form.upload button").click()
    summary = _wait(
        driver, lambda d: "rows read" in d.find_element(By.TAG_NAME, "main").text and d
    ).find_element(By.ID, "import-summary")
    assert "added" in summary.text and "people added" in summary.text
    assert "linkedin" in summary.text
    _shot(driver, tmp_path, "import")


def test_no_token_no_page_and_no_csrf_no_write(driver: Any, served: tuple[Any, str]) -> None:
    from selenium.webdriver.common.by import By

    shell = served[0]
    before = shell.book.log_position
    posted = driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        const body = new URLSearchParams({kind: "call", initiator: "ana", counterparts: "ben"});
        fetch("/log", {method: "POST", body}).then(r => done(r.status), e => done(String(e)));"""
    )
    assert posted == 403  # the cookie went along, the CSRF token did not
    assert shell.book.log_position == before
    driver.delete_all_cookies()
    driver.get(_base(served) + "/")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Refused"
    assert "open the address ledger serve printed" in driver.find_element(By.TAG_NAME, "main").text
    driver.get(served[1])  # the printed address again: the page is back
    assert driver.find_element(By.TAG_NAME, "h1").text == "This week"
