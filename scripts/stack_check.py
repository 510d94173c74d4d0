"""HTTP half of the container check: talks to the compose stack through nginx only.

    stack_check.py chat URL                 a web chat, then a complaint filed by buttons;
                                            prints the filed reply's text (it names the ticket)
    stack_check.py login URL USER TICKET    staff sign-in (password on stdin) with the browser's
                                            Origin, the queue shows TICKET; a foreign Origin is
                                            refused. When the dashboard asks for a second
                                            factor, the command in STACK_CHECK_TOTP_COMMAND
                                            prints the code
    stack_check.py answers URL N            N new web chats, every one answered

Standard library only, so it runs with any Python 3.11 on the host. Exit 1 on a failure.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

# The intake of tests/core/flows/test_complaint_flow.py (HAPPY), then the confirmation.
INTAKE: list[tuple[str, str]] = [
    ("button", "complaint"), ("button", "complaint:pick:consent:yes"),
    ("button", "complaint:pick:affected:self"),
    ("button", "complaint:pick:category:agency_fraud"), ("text", "PT Maju Jaya Abadi"),
    ("button", "complaint:pick:country:Malaysia"), ("text", "Kuala Lumpur"),
    ("text", "jatim"), ("button", "complaint:skip"),
    ("text", "Agen minta uang 15 juta lalu menghilang, tidak jadi berangkat."),
    ("button", "complaint:skip"), ("button", "complaint:pick:contact:chat"),
    ("button", "complaint:pick:confirm:yes"),
]


class CheckFailed(Exception):
    """A step of the check did not go as expected."""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 303 is checked, not followed


def post_chat(url: str, body: dict[str, str], token: str | None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{url}/api/chat", data=json.dumps(body).encode(),
                                     headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        data: dict[str, Any] = json.load(response)
    return data


def chat(url: str) -> str:
    first = post_chat(url, {"text": "halo"}, None)
    token = first["token"]
    if not first["replies"]:
        raise CheckFailed("no reply to 'halo'")
    keys: list[str] = []
    for kind, value in INTAKE:
        data = post_chat(url, {kind: value}, token)
        if data["token"] != token:
            raise CheckFailed("the chat's token changed during the intake")
        keys = [reply["key"] for reply in data["replies"]]
    if keys != ["complaint.filed"]:
        raise CheckFailed(f"the intake ended with {keys}, not complaint.filed")
    return str(data["replies"][0]["text"])


class Dashboard:
    """A browser on the staff dashboard: one cookie jar, redirects checked, not followed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def csrf(self, path: str) -> str:
        with self.opener.open(f"{self.url}{path}", timeout=30) as response:
            page = response.read().decode()
        match = re.search(r'name="csrf" value="([^"]+)"', page)
        if match is None:
            raise CheckFailed(f"{path} has no CSRF token")
        return match.group(1)

    def post(self, path: str, fields: dict[str, str], origin: str | None = None
             ) -> tuple[int, str]:
        """(status, Location) of a form POST sent with the given Origin (ours by default)."""
        request = urllib.request.Request(
            f"{self.url}{path}", data=urllib.parse.urlencode(fields).encode(), method="POST",
            headers={"Origin": origin or self.origin})
        try:
            with self.opener.open(request, timeout=30) as response:
                return int(response.status), ""
        except urllib.error.HTTPError as error:  # 303 (not followed), 401, 403
            return error.code, error.headers.get("Location", "")

    def page(self, path: str) -> tuple[str, str]:
        """(final URL, body) of a GET, redirects followed."""
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        with browser.open(f"{self.url}{path}", timeout=30) as response:
            return response.url, response.read().decode()


def login(url: str, username: str, password: str, ticket: str) -> str:
    dash = Dashboard(url)
    fields = {"csrf": dash.csrf("/staff/login"), "username": username, "password": password}
    foreign, _ = dash.post("/staff/login", fields, origin="http://127.0.0.1:1")
    if foreign != 403:
        raise CheckFailed(f"a sign-in from a foreign Origin got {foreign}, not 403")
    status, location = dash.post("/staff/login", fields)
    if status != 303:
        raise CheckFailed(f"the sign-in with Origin {dash.origin} got {status}, not 303")
    factor = "/staff/totp" in location
    if factor:
        second_factor(dash)
    landed, queue = dash.page("/staff/")  # redirects to the queue
    if "/staff/login" in landed:
        raise CheckFailed("the session cookie was not accepted: back to the sign-in page")
    if ticket not in queue:
        raise CheckFailed(f"the staff queue does not show {ticket}")
    return f"signed in ({'with' if factor else 'without'} a second factor)"


def second_factor(dash: Dashboard) -> None:
    """The code of the account's second factor, from the command the caller names."""
    command = os.environ.get("STACK_CHECK_TOTP_COMMAND")
    if not command:
        raise CheckFailed("the dashboard asks for a second factor: set STACK_CHECK_TOTP_COMMAND")
    token = dash.csrf("/staff/totp")
    code = subprocess.run(shlex.split(command), check=True, capture_output=True,
                          text=True).stdout.strip()
    status, _ = dash.post("/staff/totp", {"csrf": token, "code": code})
    if status != 303:
        raise CheckFailed(f"the second factor got {status}, not 303")


def answers(url: str, count: int) -> str:
    slowest = 0.0
    for _ in range(count):
        started = time.monotonic()
        data = post_chat(url, {"text": "syarat kerja ke luar negeri apa saja"}, None)
        slowest = max(slowest, time.monotonic() - started)
        if not data["replies"]:
            raise CheckFailed("a chat got no reply")
    return f"{count}/{count} chats answered, slowest {slowest:.2f} s"


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["chat"] and len(argv) == 2:
            print(chat(argv[1]))
        elif argv[:1] == ["login"] and len(argv) == 4:
            print(login(argv[1], argv[2], sys.stdin.readline().rstrip("\n"), argv[3]))
        elif argv[:1] == ["answers"] and len(argv) == 3:
            print(answers(argv[1], int(argv[2])))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (CheckFailed, OSError, KeyError, ValueError,
            subprocess.CalledProcessError) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
