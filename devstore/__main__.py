"""``python -m devstore``: run one shop on 127.0.0.1 until interrupted."""

from __future__ import annotations

import argparse

from werkzeug.serving import make_server

from .app import create_app
from .settings import AppRegistration, Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devstore", description=__doc__)
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--shop", default="demo.devstore.test", help="the shop's domain")
    parser.add_argument("--shop-name", default="Demo Outfitters")
    parser.add_argument("--api-key", required=True, help="the app's API key (client id)")
    parser.add_argument("--api-secret", required=True, help="the app's API secret (client secret)")
    parser.add_argument("--app-url", default="http://127.0.0.1:8000", help="the app's base URL")
    parser.add_argument("--extension-dir", default=None, help="the app's theme app extension folder")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--orders", type=int, default=1500, help="orders in the seeded history")
    args = parser.parse_args(argv)
    registration = AppRegistration(api_key=args.api_key, api_secret=args.api_secret, app_url=args.app_url,
                                   theme_extension_dir=args.extension_dir)
    settings = Settings(shop_domain=args.shop, shop_name=args.shop_name, seed=args.seed, order_history=args.orders,
                        apps=[registration], public_url=f"http://127.0.0.1:{args.port}")
    app = create_app(settings)
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    print(f"devstore: {settings.shop_name} ({settings.shop_domain}) at {settings.public_url}", flush=True)
    print(f"  admin: {settings.public_url}/admin    storefront: {settings.public_url}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.extensions["devstore"].close()


if __name__ == "__main__":
    main()
