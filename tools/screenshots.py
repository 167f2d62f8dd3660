#!/usr/bin/env python3
"""The README's screenshots, taken from the demo database with headless Chromium.

    python3 tools/screenshots.py -d receivable_demo --port 8069 --addons-path=...

Uses the Odoo server already serving the database on ``--port`` (``make demo`` running), or
starts one there for the time of the shots (without crons, so nothing is sent). Logs in as
``admin`` and saves, 1440 pixels wide, in ``--out``:

    cockpit.png    the follow-up cockpit of the customer who broke a promise to pay
    aging.png      Aged Receivables, by customer
    overview.png   the Receivables Overview dashboard
    letter.png     the first page of a reminder letter to review, in English if one is
                   (Odoo's PDF, rendered by pdftoppm from poppler-utils)
    portal_account.png
                   the whole account page on the portal of a customer reminded with invoices
                   overdue (the same customer if it was reminded), in English, opened with
                   the signed link of its reminders by a visitor not logged in

Chromium is driven over the DevTools protocol with websocket-client, as Odoo's own browser
tests do; the PNG files are saved with 256 colours by Pillow (an Odoo requirement) to stay
small. ``make screenshots`` (tools/screenshots.sh) installs what is missing and runs it.
"""

import argparse
import base64
import http.cookiejar
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import websocket
from PIL import Image

WIDTH = 1440
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]
LETTER_REPORT = "account_receivable_control.report_dunning_letter"
# Prints the signed link of a customer's account page (the module's own, in English): the
# token is signed with the database's secret, so Odoo makes it, in a shell that changes nothing.
PORTAL_LINK_CODE = """
print("PORTAL_LINK", env["res.partner"].browse(%d)._get_receivable_portal_link("en_US"))
"""
# Unfold the promise and dispute forms of the first invoice that has them.
OPEN_ACTIONS_JS = """(() => {
    const details = document.querySelector('.o_receivable_portal_actions');
    if (details) { details.open = true; }
    return !!details;
})()"""
# Click the list row showing ``text``; true if there is one.
CLICK_ROW_JS = """(text) => {
    const row = [...document.querySelectorAll('.o_data_row')]
        .find((row) => row.innerText.includes(text));
    if (row) { row.querySelector('td.o_data_cell').click(); }
    return !!row;
}"""
# A screen is ready when its selector is there and the web client has stopped loading.
SETTLED_JS = """
    !!document.querySelector(%s)
    && !document.querySelector('.o_loading_indicator, .o_blockUI, .o_loading')
    && document.fonts.status === 'loaded'
"""


def save_png(source, path):
    """Save the PNG ``source`` (a path or a file object) at ``path`` with 256 colours, which
    screens and letters hardly need more of: a third of the size in the repository."""
    with Image.open(source) as image:
        palette = image.convert("RGB").quantize(256, dither=Image.Dither.NONE)
        palette.save(path, optimize=True)


class OdooSession:
    """JSON-RPC as the web client does it, with the session cookie of the logged-in user."""

    def __init__(self, base_url, database):
        self.base_url = base_url
        self.database = database
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def is_up(self):
        try:
            with self.opener.open(f"{self.base_url}/web/login", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def rpc(self, path, params):
        request = urllib.request.Request(
            self.base_url + path,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=120) as response:
            answer = json.load(response)
        if answer.get("error"):
            error = answer["error"]
            raise SystemExit(f"{path}: {error.get('data', {}).get('message') or error}")
        return answer["result"]

    def login(self, login, password):
        self.rpc(
            "/web/session/authenticate",
            {"db": self.database, "login": login, "password": password},
        )

    def call(self, model, method, *args, **kwargs):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def download(self, path):
        with self.opener.open(self.base_url + path, timeout=300) as response:
            return response.read()

    @property
    def session_id(self):
        return next(cookie.value for cookie in self.cookies if cookie.name == "session_id")


class Chromium:
    """Headless Chromium and its first tab, driven over the DevTools protocol."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="arc-screenshots-")
        self.process = subprocess.Popen(
            [
                binary,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                f"--window-size={WIDTH},900",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port = self._devtools_port()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            targets = json.load(answer)
        page = next(target for target in targets if target["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], suppress_origin=True, timeout=120
        )
        self.last_id = 0

    def _devtools_port(self):
        port_file = Path(self.profile, "DevToolsActivePort")
        for _ in range(200):
            if port_file.exists() and port_file.read_text().strip():
                return int(port_file.read_text().splitlines()[0])
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise SystemExit("Chromium did not start (no DevToolsActivePort).")

    def send(self, method, **params):
        self.last_id += 1
        self.ws.send(json.dumps({"id": self.last_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.last_id:  # events (none enabled) are skipped
                if "error" in message:
                    raise SystemExit(f"Chromium {method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise SystemExit(f"JavaScript error: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, selector, timeout=60):
        """Wait until ``selector`` is shown and the page has settled."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(SETTLED_JS % json.dumps(selector)):
                time.sleep(1)  # the last renderings (charts, fonts, transitions)
                if self.evaluate(SETTLED_JS % json.dumps(selector)):
                    return
            time.sleep(0.25)
        raise SystemExit(f"Timed out waiting for {selector} on {self.evaluate('location.href')}")

    def open(self, url, selector, height):
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.send("Page.navigate", url=url)
        self.wait_for(selector)

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        save_png(io.BytesIO(base64.b64decode(data)), path)

    def close(self):
        try:
            self.send("Browser.close")
        except (websocket.WebSocketException, OSError):
            pass  # gone already
        self.ws.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def start_odoo(args, session):
    """An Odoo server for the database on the port, without crons; None if one serves it."""
    if session.is_up():
        print(f"using the Odoo server running at {session.base_url}", flush=True)
        return None
    print(f"starting Odoo on 127.0.0.1:{args.port} for the database {args.database}", flush=True)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo",
            f"--database={args.database}",
            f"--addons-path={args.addons_path}",
            f"--http-port={args.port}",
            "--http-interface=127.0.0.1",
            f"--db-filter=^{args.database}$",
            "--max-cron-threads=0",
            "--log-level=warn",
        ]
    )
    for _ in range(600):
        if session.is_up():
            return server
        if server.poll() is not None:
            raise SystemExit(f"Odoo stopped (exit code {server.returncode}) before serving.")
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("Odoo did not answer within two minutes.")


def find_cases(session):
    """The records to show: the customer with a broken promise, a reminder letter to review."""
    promises = session.call(
        "receivable.promise",
        "search_read",
        [("state", "=", "broken")],
        fields=["partner_id"],
        limit=1,
    )
    if not promises:
        raise SystemExit(
            "No broken promise to pay in the database: is it the demo database (make demo)?"
        )
    # A letter in English if there is one, for the README's readers.
    reminders = []
    for lang_domain in ([("partner_id.lang", "=", "en_US")], []):
        reminders = reminders or session.call(
            "receivable.reminder",
            "search_read",
            [("state", "=", "draft"), *lang_domain],
            fields=["name", "partner_id"],
            order="id",
            limit=1,
        )
    if not reminders:
        raise SystemExit("No reminder to review in the database: is it the demo database?")
    return promises[0]["partner_id"], reminders[0], portal_customer(session, promises[0])


def portal_customer(session, promise):
    """The customer whose account page to show: the one of the broken promise if it received
    reminders, else the last one reminded that still has overdue invoices (the page's sections
    Pay all overdue and Reminders received are then filled), else the one of the promise."""
    sent = session.call(
        "receivable.reminder",
        "search_read",
        [("state", "=", "sent")],
        fields=["partner_id"],
        order="date desc, id desc",
    )
    reminded = list(dict.fromkeys(reminder["partner_id"][0] for reminder in sent))
    if promise["partner_id"][0] in reminded:
        return promise["partner_id"][0]
    overdue = session.call(
        "account.move",
        "search_read",
        [
            ("partner_id", "in", reminded),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", time.strftime("%Y-%m-%d")),
        ],
        fields=["partner_id"],
    )
    late = {move["partner_id"][0] for move in overdue}
    return next((partner for partner in reminded if partner in late), promise["partner_id"][0])


def portal_link(args, session, partner_id):
    """The link of the customer's reminders to its account page, on this server."""
    shell = subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "shell",
            f"--database={args.database}",
            f"--addons-path={args.addons_path}",
            "--no-http",
            "--log-level=error",
        ],
        input=PORTAL_LINK_CODE % partner_id,
        capture_output=True,
        text=True,
        check=True,
    )
    link = next(
        (line.split()[1] for line in shell.stdout.splitlines() if line.startswith("PORTAL_LINK")),
        None,
    )
    if not link:
        raise SystemExit(f"No account page link from odoo shell: {shell.stderr[-2000:]}")
    parts = urllib.parse.urlsplit(link)
    return f"{session.base_url}{parts.path}?{parts.query}"


def shoot_portal(browser, url, out):
    """The account page as the customer opens it from a reminder: no session (shot before the
    administrator's cookie is set), the promise and dispute forms of one invoice unfolded."""
    browser.open(url, ".o_receivable_portal", height=1000)
    browser.evaluate(OPEN_ACTIONS_JS)
    # The whole page: the sections under the open items (instalments, reminders received).
    height = browser.evaluate("document.documentElement.scrollHeight")
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        width=WIDTH,
        height=max(height, 1000),
        deviceScaleFactor=1,
        mobile=False,
    )
    browser.wait_for(".o_receivable_portal")
    browser.screenshot(out / "portal_account.png")


def shoot_screens(browser, session, out, partner_name):
    base = session.base_url
    browser.send(
        "Network.setCookie",
        name="session_id",
        value=session.session_id,
        url=base,
        httpOnly=True,
    )

    browser.open(
        f"{base}/odoo/receivables-overview", ".o_receivables_overview .o_arc_kpi", height=1000
    )
    browser.screenshot(out / "overview.png")

    browser.open(
        f"{base}/odoo/action-account_receivable_control.action_receivable_aging_open",
        ".o_list_view .o_group_header",
        height=900,
    )
    browser.screenshot(out / "aging.png")

    # The cockpit as a collector reaches it: Receivables > Follow-up, a click on the customer.
    browser.open(
        f"{base}/odoo/action-account_receivable_control.action_receivable_followup_customers",
        ".o_list_view .o_data_row",
        height=1000,
    )
    clicked = browser.evaluate(f"({CLICK_ROW_JS})({json.dumps(partner_name)})")
    if not clicked:
        raise SystemExit(f"{partner_name} is not in the Follow-up list.")
    browser.wait_for(".o_form_view .o_notebook")
    browser.screenshot(out / "cockpit.png")


def render_letter(session, reminder, out):
    """The first page of the reminder's letter, as Odoo prints it, rendered to PNG."""
    pdf = session.download(f"/report/pdf/{LETTER_REPORT}/{reminder['id']}")
    if not pdf.startswith(b"%PDF"):
        raise SystemExit("The letter did not render as a PDF: is wkhtmltopdf installed?")
    with tempfile.TemporaryDirectory() as work:
        source = Path(work, "letter.pdf")
        source.write_bytes(pdf)
        page = ["-f", "1", "-l", "1", "-singlefile"]
        size = ["-scale-to-x", str(WIDTH), "-scale-to-y", "-1"]
        target = Path(work, "letter")
        subprocess.run(["pdftoppm", "-png", *page, *size, str(source), str(target)], check=True)
        save_png(Path(work, "letter.png"), out / "letter.png")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--addons-path", required=True, help="to start Odoo when none runs")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--chromium", default="chromium")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "static/description/screenshots",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    args.out.mkdir(parents=True, exist_ok=True)
    session = OdooSession(f"http://127.0.0.1:{args.port}", args.database)
    server = start_odoo(args, session)
    try:
        session.login(args.login, args.password)
        (_partner_id, partner_name), reminder, portal_partner_id = find_cases(session)
        portal_url = portal_link(args, session, portal_partner_id)
        browser = Chromium(args.chromium)
        try:
            shoot_portal(browser, portal_url, args.out)
            shoot_screens(browser, session, args.out, partner_name)
        finally:
            browser.close()
        render_letter(session, reminder, args.out)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
    for name in ("cockpit", "aging", "overview", "letter", "portal_account"):
        path = args.out / f"{name}.png"
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
