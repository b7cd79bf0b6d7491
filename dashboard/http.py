"""HTTP hardening of the Flask server under the app: security headers, proxy awareness, quiet errors.

- **Content-Security-Policy**: scripts from this server and Dash's own inline renderer script only (by its
  hash, ``app.csp_hashes()``), no framing (``frame-ancestors 'none'``), no plugins, forms and base URL
  pinned to this origin. Styles allow inline ``style`` attributes: React components and Plotly set them.
  Images and downloads may be ``data:``/``blob:`` URLs (Plotly's modebar, ``dcc.Download``).
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``, ``X-Frame-Options: DENY`` (for
  browsers without CSP level 2), ``Cross-Origin-Opener-Policy: same-origin``.
- ``Cache-Control: no-store`` on the page, its layout and every callback answer: they carry the session
  token or the user's numbers, which no shared cache may keep.
- ``Strict-Transport-Security`` when the request came over HTTPS; behind Heroku's router the scheme comes
  from ``X-Forwarded-Proto``, which :class:`werkzeug.middleware.proxy_fix.ProxyFix` reads (one proxy hop).
- Unknown ``/_dash-component-suites/...`` paths answer 404 without a logged traceback, and any other
  unexpected error answers a short page with neither traceback nor file paths (Flask logs it once).
"""

from __future__ import annotations

import dash
from dash.exceptions import DependencyException
from flask import Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico")
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(app: dash.Dash) -> str:
    """The CSP header's value for ``app`` (call after every callback is registered)."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *app.csp_hashes()],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def harden(app: dash.Dash, proxies: int = 1) -> None:
    """Add the headers, proxy handling and quiet error pages of the module docstring to ``app.server``."""
    server = app.server
    server.wsgi_app = ProxyFix(server.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    policy = content_security_policy(app)

    @server.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)  # a page with its own (a share page) keeps it
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if not request.path.startswith(STATIC_PREFIXES):
            headers["Cache-Control"] = "no-store"
        if request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        return response

    @server.errorhandler(DependencyException)
    def _unknown_resource(_error):
        return Response("Not found.", status=404, mimetype="text/plain")

    @server.errorhandler(Exception)
    def _unexpected(error):
        if isinstance(error, HTTPException):  # 404, 405, 413...: Werkzeug's short pages already say it
            return error
        server.logger.error("Unhandled %s on %s %s", type(error).__name__, request.method, request.path)
        return Response("Something went wrong on the server. Reload the page to go on.", 500, mimetype="text/plain")
