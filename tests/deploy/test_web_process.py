"""The Procfile's web process under faults a shared deployment meets: slow clients, probes, framing."""

from __future__ import annotations

import socket
import threading
import time

import requests


def half_open(url: str) -> socket.socket:
    """A connection that starts a request and never finishes its headers (a slowloris client)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
    return sock


def trickle(sockets: list[socket.socket], stop: threading.Event) -> None:
    """Keep each connection's headers coming, one line every half second, never ending them."""
    while not stop.wait(0.5):
        for sock in sockets:
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                pass


def answers_despite_slow_clients(url: str, clients: int) -> None:
    slow, stop = [half_open(url) for _ in range(clients)], threading.Event()
    feeder = threading.Thread(target=trickle, args=(slow, stop), daemon=True)
    feeder.start()
    try:
        started = time.monotonic()
        for _ in range(4):
            assert requests.get(url + "/", timeout=10).status_code == 200
        assert time.monotonic() - started < 10
    finally:
        stop.set()
        feeder.join()
        for sock in slow:
            sock.close()


def test_slow_clients_do_not_take_the_embedded_app_offline(web):
    answers_despite_slow_clients(web, 6)  # two took the former sync workers offline; gthread: 8 per worker


def test_many_slow_clients_do_not_take_the_deployed_app_offline(redis_web):
    answers_despite_slow_clients(redis_web, 60)  # gevent: a greenlet per connection


def test_security_headers_on_the_page_and_its_layout(web):
    page = requests.get(web + "/", timeout=10)
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]  # scripts: self and hashes
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert not any(ch.isdigit() for ch in page.headers.get("Server", ""))  # no version to look up
    layout = requests.get(web + "/_dash-layout", timeout=10)
    assert layout.headers["Cache-Control"] == "no-store"  # it carries a fresh session token


def test_https_behind_the_router_gets_hsts(web):
    plain = requests.get(web + "/", timeout=10)
    assert "Strict-Transport-Security" not in plain.headers
    proxied = requests.get(web + "/", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=")


def test_bad_component_paths_answer_404_without_a_traceback(web):
    for path in ("/_dash-component-suites/nope/x.js", "/_dash-component-suites/dash/deps/unknown.v1_0_0m1.js"):
        answer = requests.get(web + path, timeout=10)
        assert answer.status_code == 404, path
        assert "Traceback" not in answer.text and "/site-packages/" not in answer.text


def test_the_page_carries_no_session_token(web):
    """Dash serialises its validation layout into GET /: it must not hold a token the store accepts."""
    page = requests.get(web + "/", timeout=10).text
    tokens = {requests.get(web + "/_dash-layout", timeout=10).text for _ in range(2)}
    assert "validation-only" in page  # the placeholder, not a signed token
    assert len(tokens) == 2  # every layout request gets its own token
