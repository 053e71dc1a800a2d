"""The example app end to end in headless Debian chromium, driven by Selenium.

``python -m example_app`` runs as a subprocess in demo mode on free ports: the app
on 127.0.0.1, its emulated providers (EIDG and itsme, each with its interactive
test-user page) on localhost, another site for cookies, as a real provider is.
The home page's login goes to aiohttp-eid's provider chooser (``#login-eidg``,
``#login-itsme``). Needs ``apt-get install chromium
chromium-driver`` and ``pip install selenium``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.wait import WebDriverWait

from aiohttp_eid.testing import DEFAULT_EIDG_USERS, DEFAULT_ITSME_USERS
from aiohttp_eid.testing.redis_server import free_port
from example_app.pages import BANNER
from tests.support.privacy import PERSONAL_VALUES, holds_jose

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parents[2]
ADA = next(user for user in DEFAULT_EIDG_USERS if user.key == "ada")
JAN = next(user for user in DEFAULT_ITSME_USERS if user.key == "jan")

if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
    pytest.skip("chromium not installed: apt-get install chromium chromium-driver", allow_module_level=True)


@dataclasses.dataclass
class RunningApp:
    origin: str  # http://127.0.0.1:<port>
    provider: str  # http://localhost:<port>, the emulated EIDG
    itsme: str  # http://localhost:<port>, the emulated itsme
    output: Path  # the process's stdout and stderr

    def log(self) -> str:
        return self.output.read_text(errors="replace")


def wait_for_port(port: int, process: subprocess.Popen[bytes], output: Path, deadline: float) -> None:
    while True:
        if process.poll() is not None:
            pytest.fail(f"example_app exited with {process.returncode}:\n{output.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"example_app did not listen on {port}:\n{output.read_text()}")
            time.sleep(0.05)


@pytest.fixture(scope="module")
def example_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    port, emulator_port, itsme_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EIDG_", "EID_", "ITSME_", "EXAMPLE_"))}
    env.update(
        EXAMPLE_PORT=str(port),
        EXAMPLE_EMULATOR_PORT=str(emulator_port),
        EXAMPLE_ITSME_PORT=str(itsme_port),
        PYTHONUNBUFFERED="1",
    )
    output = tmp_path_factory.mktemp("example_app") / "output.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "example_app"], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 15
        for listening in (emulator_port, itsme_port, port):
            wait_for_port(listening, process, output, deadline)
        yield RunningApp(
            f"http://127.0.0.1:{port}", f"http://localhost:{emulator_port}", f"http://localhost:{itsme_port}", output
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    # Selenium's debug log holds page texts (test users' data): keep it out of the checked log
    logging.getLogger("selenium").setLevel(logging.WARNING)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    chrome = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        yield chrome
    finally:
        chrome.quit()


@pytest.fixture
def browser(driver: webdriver.Chrome) -> webdriver.Chrome:
    """The shared browser, with no cookie left from the previous test."""
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    return driver


def wait_for(browser: webdriver.Chrome, url_prefix: str) -> None:
    WebDriverWait(browser, 10).until(ec.url_matches("^" + url_prefix.replace(".", r"\.")))


def text_of(browser: webdriver.Chrome, element_id: str) -> str:
    text: str = browser.find_element(By.ID, element_id).text
    return text


def choose_provider(browser: webdriver.Chrome, app: RunningApp, provider: str) -> None:
    """On aiohttp-eid's provider chooser (the home page's login goes there): pick ``provider``."""
    WebDriverWait(browser, 10).until(ec.url_matches("^" + re.escape(f"{app.origin}/auth/?")))
    assert text_of(browser, "demo-banner") == BANNER
    browser.find_element(By.ID, f"login-{provider}").click()


def assert_nothing_leaked(app: RunningApp) -> None:
    log = app.log()
    assert BANNER in log
    assert not holds_jose(log)  # no token
    assert "code=" not in log  # no one-time code (the access log leaves out query strings)
    leaked = [value for value in PERSONAL_VALUES if len(value) >= 6 and value in log]  # not date parts
    assert not leaked, "personal data in the app's output"


def log_in_at_provider(browser: webdriver.Chrome, app: RunningApp, method: str) -> None:
    wait_for(browser, f"{app.provider}/oauth2/authorize")
    assert "EMULATOR" in text_of(browser, "emulator-banner")
    browser.find_element(By.ID, f"method-{method}").click()
    browser.find_element(By.ID, "user-ada").click()
    browser.find_element(By.ID, "login").click()


def test_login_step_up_and_logout(browser: webdriver.Chrome, example_app: RunningApp) -> None:
    app = example_app
    browser.get(f"{app.origin}/")
    assert text_of(browser, "demo-banner") == BANNER
    browser.find_element(By.ID, "login").click()
    choose_provider(browser, app, "eidg")

    log_in_at_provider(browser, app, "SPID_LEVEL_2")
    wait_for(browser, f"{app.origin}/account")
    assert browser.current_url == f"{app.origin}/account"
    assert text_of(browser, "identity-name") == ADA.display_name
    assert text_of(browser, "identity-subject") == "LVLDAA85T50G702B"
    assert text_of(browser, "assurance") == "SUBSTANTIAL"
    assert text_of(browser, "identity-electronic-id") == "SPID"

    # /high needs HIGH: a step-up login, here with CIE
    browser.get(f"{app.origin}/high")
    log_in_at_provider(browser, app, "CIE")
    wait_for(browser, f"{app.origin}/high")
    assert "HIGH" in text_of(browser, "high-ok")

    browser.get(f"{app.origin}/")
    assert text_of(browser, "welcome-name") == ADA.display_name
    browser.find_element(By.ID, "account-link").click()
    assert text_of(browser, "assurance") == "HIGH"
    browser.find_element(By.ID, "logout-button").click()
    WebDriverWait(browser, 10).until(ec.url_to_be(f"{app.origin}/"))
    browser.find_element(By.ID, "login")
    assert not browser.find_elements(By.ID, "welcome-name")
    browser.get(f"{app.origin}/account")  # anonymous again: sent to log in, at the chooser
    choose_provider(browser, app, "eidg")
    wait_for(browser, f"{app.provider}/oauth2/authorize")

    assert_nothing_leaked(app)


def test_cancel_at_provider_shows_try_again(browser: webdriver.Chrome, example_app: RunningApp) -> None:
    app = example_app
    browser.get(f"{app.origin}/")
    browser.find_element(By.ID, "login").click()
    choose_provider(browser, app, "eidg")
    wait_for(browser, f"{app.provider}/oauth2/authorize")
    browser.find_element(By.ID, "cancel").click()

    wait_for(browser, f"{app.origin}/auth/eidg/callback")
    assert text_of(browser, "demo-banner") == BANNER  # on aiohttp-eid's error page too
    try_again = browser.find_element(By.ID, "try-again")
    try_again.click()
    wait_for(browser, f"{app.provider}/oauth2/authorize")  # a new login, at the provider again
    browser.find_element(By.ID, "user-ada")


def log_in_at_itsme(browser: webdriver.Chrome, app: RunningApp) -> None:
    wait_for(browser, f"{app.itsme}/oidc/authorize")  # the emulated itsme's page, another site
    assert "EMULATOR" in text_of(browser, "emulator-banner")
    browser.find_element(By.ID, "user-jan").click()
    browser.find_element(By.ID, "login").click()


def test_itsme_login_step_up_and_logout(browser: webdriver.Chrome, example_app: RunningApp) -> None:
    app = example_app
    browser.get(f"{app.origin}/")
    browser.find_element(By.ID, "login").click()
    choose_provider(browser, app, "itsme")

    log_in_at_itsme(browser, app)
    wait_for(browser, f"{app.origin}/account")
    assert browser.current_url == f"{app.origin}/account"
    assert text_of(browser, "identity-name") == JAN.display_name
    assert text_of(browser, "identity-provider") == "itsme"
    assert text_of(browser, "identity-nationality") == JAN.nationality
    assert text_of(browser, "assurance") == "SUBSTANTIAL"

    # /high needs HIGH: a step-up login at itsme, asking acr advanced
    browser.get(f"{app.origin}/high")
    log_in_at_itsme(browser, app)
    wait_for(browser, f"{app.origin}/high")
    assert "HIGH" in text_of(browser, "high-ok")

    browser.get(f"{app.origin}/account")
    assert text_of(browser, "assurance") == "HIGH"
    browser.find_element(By.ID, "logout-button").click()
    WebDriverWait(browser, 10).until(ec.url_to_be(f"{app.origin}/"))
    browser.find_element(By.ID, "login")
    assert not browser.find_elements(By.ID, "welcome-name")
    assert_nothing_leaked(app)
