"""``storelift demo``: a simulated store and Storelift on loopback, installed for real.

The install goes through the same OAuth flow a merchant's browser takes
(devstore admin → /install → approve → /auth/callback), driven here by a
small HTTP client, so the demo proves the install path rather than faking a
token. Like the CLI, this is a composition root: it may start devstore.
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests

from .store.engines import printable

DEMO_SHOP = "demo.devstore.test"
DEMO_PLATFORM_DOMAIN = "devstore.test"
# Flow delays for the demo, in minutes (a store sets hours): an abandoned checkout is mailed a minute later.
DEMO_DELAYS_MINUTES = {"checkout": [1, 3, 5], "cart": [1, 3, 5], "browse": [2]}
DEMO_KEY = "storelift-demo-key"
DEMO_SECRET = "storelift-demo-secret-not-for-production"
REPO_ROOT = Path(__file__).resolve().parent.parent
THEME_EXTENSION = REPO_ROOT / "extensions" / "storelift-theme"
# What the demo theme shows: the recommendation app block placed as a merchant would in the theme editor.
DEMO_BLOCKS = (
    ("product", {"strategy": "frequently_bought_together", "title": "Frequently bought together", "limit": 4}),
    ("product", {"strategy": "similar_items", "title": "Similar items", "limit": 4}),
    ("cart", {"strategy": "cart", "title": "Complete your order", "limit": 4}),
    ("index", {"strategy": "for_you", "title": "Picked for you", "limit": 4}),
    ("index", {"strategy": "trending", "title": "Trending now", "limit": 4}),
)
SYNC_WAIT_S = 120.0


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


def place_demo_blocks(store_url: str) -> None:
    """Put the recommendation blocks on the demo theme's home, product and cart templates."""
    for template, settings in DEMO_BLOCKS:
        response = requests.post(f"{store_url}/_devstore/theme/blocks", timeout=10,
                                 json={"template": template, "block": "recommendations", "settings": settings})
        if response.status_code != 200:
            raise InstallError(f"placing the {template} block answered {response.status_code}")


def _progress_text(run: dict | None) -> str:
    def part(done, total, noun):
        return f"{done or 0}/{total} {noun}" if total is not None else f"{done or 0} {noun}"
    if not run:
        return "starting"
    return f"{part(run['products'], run['products_total'], 'products')}, {part(run['orders'], run['orders_total'], 'orders')}"


def wait_for_first_sync(store, shop: str, out=sys.stdout) -> dict | None:
    """Show the first sync as one progress line (rewritten in place on a terminal); return its run."""
    started, tty, run = time.monotonic(), out.isatty(), None
    while time.monotonic() - started < SYNC_WAIT_S:
        run = store.shops.last_sync(shop)
        if run and run["finished_at"]:
            break
        if tty:
            print(f"\rPulling the store's history: {_progress_text(run)}", end="", file=out, flush=True)
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    prefix = "\r" if tty else ""
    if run and run["finished_at"] and not run["error"]:
        print(f"{prefix}Pulled the store's history: {_progress_text(run)} in {elapsed:.1f} s.", file=out)
    elif run and run["error"]:
        print(f"{prefix}The first sync failed ({run['error']}); the admin's Status page can run it again.", file=out)
    else:
        print(f"{prefix}The first sync is still running ({_progress_text(run)}); the admin's Status page follows it.",
              file=out)
    return run


def set_up_emails(store) -> None:
    """The demo's sender, and flow delays in minutes instead of hours, so a newcomer sees each email come.

    Quiet hours are off: a demo run at 22:00 should still show its emails.
    """
    from .emails.settings import EMAILS

    settings = EMAILS.read(store, DEMO_SHOP)[0]
    settings["sender"].update(name="{shop}", address="hello@demo-shop.example",
                              postal_address="1 Demo Street\nSpringfield, 00000")
    settings["budget"].update(quiet_from_hour=0, quiet_until_hour=0)
    for flow, delays in DEMO_DELAYS_MINUTES.items():
        settings["flows"][flow]["delays_minutes"] = delays
    EMAILS.save(store, DEMO_SHOP, settings)


def set_up_holdouts(store) -> None:
    """No holdouts in the demo: the newcomer clicking through it is one shopper, and in a 10 % holdout
    one newcomer in ten would meet no pop-up and no emails and take the demo for broken. The admin's
    landing page shows a month of simulated shoppers instead; it is computed here, before the
    newcomer opens it (about a second of numpy)."""
    from .admin.earned import simulated_surfaces
    from .clock import now_ms
    from .experiments.settings import EXPERIMENTS

    EXPERIMENTS.save(store, DEMO_SHOP, {**EXPERIMENTS.read(store, DEMO_SHOP)[0], "holdout_percent": 0})
    simulated_surfaces(DEMO_SHOP, now_ms())


def cli_environment(args, app_url: str, store_base: str) -> str:
    """The exact ``export`` line that points ``storelift`` commands at this demo's database and store."""
    database = ({"STORELIFT_DATABASE_URL": args.db} if _is_server_url(args.db)
                else {"STORELIFT_DB": os.path.abspath(args.db)})
    values = {"STORELIFT_MODE": "demo", **database, "STORELIFT_APP_URL": app_url,
              "STORELIFT_PLATFORM_DOMAIN": DEMO_PLATFORM_DOMAIN, "STORELIFT_SHOP_URLS": f"{DEMO_SHOP}={store_base}"}
    return "export " + " ".join(f"{name}={shlex.quote(value)}" for name, value in values.items())


def _is_server_url(db: str) -> bool:
    return "://" in db and not db.startswith("sqlite")


def _has_a_shop(url: str) -> bool:
    from .store import Store

    store = Store(url)
    try:
        store.migrate()
        return bool(store.shops.installed()) or store.shops.get(DEMO_SHOP) is not None
    finally:
        store.close()


def _quiet_logs(verbose: bool) -> str:
    """Without --verbose only warnings reach the console: no request lines, no throttle waits."""
    if not verbose:
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger("waitress").setLevel(logging.ERROR)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # devstore's server logs each request at INFO
    return "INFO" if verbose else "WARNING"


def run(args) -> int:
    import waitress.server
    import devstore

    log_level = _quiet_logs(args.verbose)
    app_url = f"http://127.0.0.1:{args.port}"
    if _is_server_url(args.db):  # a PostgreSQL database is never emptied for the demo: it must come empty
        if _has_a_shop(args.db):
            print(f"storelift demo: {printable(args.db)} already holds a store; give the demo an empty database",
                  file=sys.stderr)
            return 2
    else:
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
    mail = devstore.serve_mailbox()  # every email Storelift sends lands in the demo's inbox page

    from .app import create_app
    from .services import Services

    app = create_app(
        {
            "mode": "demo",
            "api_key": DEMO_KEY,
            "api_secrets": (DEMO_SECRET,),
            "app_url": app_url,
            "database_url": args.db,
            "platform_domain": DEMO_PLATFORM_DOMAIN,
            "shop_urls": {DEMO_SHOP: store_base},
            "run_worker": True,
            "log_level": log_level,
            "smtp_url": mail.smtp_url,
        }
    )
    from .cli.serve import server_options

    server = waitress.server.create_server(app, host="127.0.0.1", port=args.port, **server_options(8))
    thread = threading.Thread(target=server.run, name="storelift-http", daemon=True)
    thread.start()
    try:
        print(f"Starting the demo store and Storelift, installing Storelift on {DEMO_SHOP}…", flush=True)
        admin_url = install_through_oauth(store_base, app_url)
        place_demo_blocks(store_base)
        wait_for_first_sync(Services.of(app).store, DEMO_SHOP)
        set_up_emails(Services.of(app).store)
        set_up_holdouts(Services.of(app).store)
        print()
        print(f"Storelift demo is running. Shop: {DEMO_SHOP}")
        print(f"  Storefront:      {store_base}/")
        print(f"  Store admin:     {store_base}/admin")
        print(f"  Storelift admin: {admin_url}")
        print(f"  Storelift app:   {app_url}/")
        print(f"  Mail:            {mail.web_url}")
        print("Recommendation blocks are on the home, product and cart pages.")
        print("Emails come minutes after their trigger here: abandon a checkout and it arrives in about one.")
        print("Run storelift commands against this demo after:")
        print(f"  {cli_environment(args, app_url, store_base)}")
        print("Press Ctrl-C to stop." if not args.no_wait else "", flush=True)
        if not args.no_wait:
            threading.Event().wait()
    finally:
        server.close()
        stop_store()
        mail.stop()
    return 0
