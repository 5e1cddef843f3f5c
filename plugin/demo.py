"""``storelift demo``: a simulated store and Storelift on loopback, installed for real.

The install goes through the same OAuth flow a merchant's browser takes
(devstore admin → /install → approve → /auth/callback), driven here by a
small HTTP client, so the demo proves the install path rather than faking a
token. Like the CLI, this is a composition root: it may start devstore.
"""

from __future__ import annotations

import os
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests

DEMO_SHOP = "demo.devstore.test"
DEMO_PLATFORM_DOMAIN = "devstore.test"
DEMO_KEY = "storelift-demo-key"
DEMO_SECRET = "storelift-demo-secret-not-for-production"
REPO_ROOT = Path(__file__).resolve().parent.parent
THEME_EXTENSION = REPO_ROOT / "extensions" / "storelift-theme"


class InstallError(Exception):
    """The scripted install did not reach the admin; the message says where it stopped."""


class _Forms(HTMLParser):
    """Collects each form's action, method and named inputs/buttons."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "method": (attrs.get("method") or "get").lower(),
                               "fields": {}, "buttons": []})
        elif self.forms and tag in ("input", "button") and attrs.get("name"):
            kind = attrs.get("type", "submit" if tag == "button" else "text")
            if kind == "submit":
                self.forms[-1]["buttons"].append((attrs["name"], attrs.get("value", "")))
            else:
                self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")
        elif self.forms and tag == "button":
            self.forms[-1]["buttons"].append((None, ""))


def _approve(session: requests.Session, page: requests.Response) -> requests.Response:
    """Submit the authorize page's approve form, as the owner's click would."""
    parser = _Forms()
    parser.feed(page.text)
    posts = [f for f in parser.forms if f["method"] == "post"]
    if not posts:
        raise InstallError(f"no approve form on {page.url}")
    form = posts[0]
    data = dict(form["fields"])
    named = [b for b in form["buttons"] if b[0]]
    if named:
        data[named[0][0]] = named[0][1]
    return session.post(urljoin(page.url, form["action"]) or page.url, data=data, allow_redirects=False)


def install_through_oauth(store_url: str, app_url: str, handle: str = "storelift") -> str:
    """Walk the install like a browser, from the store admin's Install button (which
    sends the owner, signed, to our /install); returns the admin URL the owner lands on."""
    session = requests.Session()
    url = f"{store_url}/admin/apps/{handle}/install"
    for _ in range(10):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (301, 302, 303):
            url = urljoin(url, response.headers["Location"])
            continue
        if response.status_code == 200 and "/admin/oauth/authorize" in url:
            response = _approve(session, response)
            if response.status_code not in (302, 303):
                raise InstallError(f"approving returned {response.status_code}")
            url = urljoin(url, response.headers["Location"])
            continue
        if response.status_code == 200 and "/admin/apps/" in url:
            return url
        raise InstallError(f"{url} answered {response.status_code}")
    raise InstallError("too many redirects")


def run(args) -> int:
    import waitress.server
    import devstore

    store_url = f"http://127.0.0.1:{args.store_port}"
    app_url = f"http://127.0.0.1:{args.port}"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(args.db + suffix):
            os.remove(args.db + suffix)

    settings = devstore.Settings(
        shop_domain=DEMO_SHOP,
        apps=[
            devstore.AppRegistration(
                api_key=DEMO_KEY,
                api_secret=DEMO_SECRET,
                app_url=app_url,
                theme_extension_dir=str(THEME_EXTENSION) if THEME_EXTENSION.is_dir() else None,
            )
        ],
    )
    store_base, stop_store = devstore.serve_in_thread(settings, port=args.store_port)

    from .app import create_app

    app = create_app(
        {
            "mode": "demo",
            "api_key": DEMO_KEY,
            "api_secrets": (DEMO_SECRET,),
            "app_url": app_url,
            "db_path": args.db,
            "platform_domain": DEMO_PLATFORM_DOMAIN,
            "shop_urls": {DEMO_SHOP: store_base},
            "run_worker": True,
        }
    )
    from .cli import server_options

    server = waitress.server.create_server(app, host="127.0.0.1", port=args.port, **server_options(8))
    thread = threading.Thread(target=server.run, name="storelift-http", daemon=True)
    thread.start()
    try:
        admin_url = install_through_oauth(store_base, app_url)
        print()
        print(f"Storelift demo is running. Shop: {DEMO_SHOP}")
        print(f"  Storefront:      {store_base}/")
        print(f"  Store admin:     {store_base}/admin")
        print(f"  Storelift admin: {admin_url}")
        print(f"  Storelift app:   {app_url}/")
        print("Press Ctrl-C to stop." if not args.no_wait else "", flush=True)
        if not args.no_wait:
            threading.Event().wait()
    finally:
        server.close()
        stop_store()
    return 0
