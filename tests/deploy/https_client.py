"""A small HTTP(S) client for tests/deploy: cookies, Django's CSRF token, TLS checked against
the test's own CA, the Host a browser would send. No Django, so it also runs as a script
inside a network namespace (``ip netns exec``), where it reads a plan of requests as JSON on
stdin and prints the answers as JSON.
"""

from __future__ import annotations

import http.client
import json
import ssl
import sys
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def set_cookies(self) -> list[str]:
        return [value for key, value in self.headers if key.lower() == "set-cookie"]

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "headers": self.headers, "body": self.body}


@dataclass
class Browser:
    """One client: connects to ``address:port``, says ``host`` (the site's name and port) in
    the Host header, and keeps its cookies like a browser (Secure ones only over https)."""

    address: str
    port: int
    host: str
    cafile: str | None = None
    tls: bool = True
    cookies: dict[str, str] = field(default_factory=dict)

    def _connection(self) -> http.client.HTTPConnection:
        if not self.tls:
            return http.client.HTTPConnection(self.address, self.port, timeout=30)
        context = ssl.create_default_context(cafile=self.cafile)
        return http.client.HTTPSConnection(self.address, self.port, timeout=30, context=context)

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {"Host": self.host, "User-Agent": "baken-deploy-test", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(
                response.status, response.getheaders(), response.read().decode("utf-8", "replace")
            )
        finally:
            connection.close()
        for raw in answer.set_cookies():
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return answer

    def get(self, path: str, **headers: str) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: dict[str, str], *, origin: str | None = None) -> Answer:
        """POST a form with the CSRF token from the cookie and the Origin a browser on the
        site sends (or ``origin``)."""
        scheme = "https" if self.tls else "http"
        headers = {"Origin": origin or f"{scheme}://{self.host}"}
        token = self.cookies.get("csrftoken")
        if token is None:
            self.get(path)
            token = self.cookies.get("csrftoken", "")
        return self.request(
            "POST", path, form={**form, "csrfmiddlewaretoken": token}, headers=headers
        )


def run_plan(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Each step of ``plan["steps"]`` with one :class:`Browser` per ``plan["clients"]``
    entry: ``{"client": name, "method": "GET" | "POST", "path": ..., "form": {...},
    "headers": {...}}``."""
    browsers = {name: Browser(**options) for name, options in plan["clients"].items()}
    answers = []
    for step in plan["steps"]:
        browser = browsers[step["client"]]
        if step["method"] == "POST":
            answer = browser.post(step["path"], step["form"], origin=step.get("origin"))
        else:
            answer = browser.request("GET", step["path"], headers=step.get("headers"))
        answers.append(answer.as_json())
    return answers


if __name__ == "__main__":
    json.dump(run_plan(json.load(sys.stdin)), sys.stdout)
