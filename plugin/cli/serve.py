"""``storelift serve``: the app under waitress, set up for the proxies in front of it."""

from __future__ import annotations

import importlib


def server_options(threads: int, proxy_hops: int = 1) -> dict:
    """waitress settings for running behind the platform's proxies and a load balancer.

    The app proxy and webhooks arrive through one proxy hop: trusting its
    X-Forwarded-For gives per-shopper IPs to the storefront rate limits
    (otherwise every shopper would share one bucket). Behind a load balancer
    of your own there is one more hop (``--proxy-hops 2``); trusting more hops
    than there are would let a shopper choose the address they are limited by.
    Sign-up bursts need more than waitress's default 100 connections.
    """
    return {
        "threads": threads,
        "ident": "storelift",
        "trusted_proxy": "*",
        "trusted_proxy_headers": {"x-forwarded-for"},
        "trusted_proxy_count": proxy_hops,
        "connection_limit": 1000,
        "clear_untrusted_proxy_headers": True,
    }


def _serve(args) -> int:
    """Run the app under waitress, a pure-Python production WSGI server.

    waitress rather than gunicorn: it serves many requests on threads in one
    process, which suits SQLite's one-writer model and the thread-local
    connections, runs the same way on every OS, and needs no fork hooks for
    the optional in-process webhook worker.
    """
    import waitress

    app = importlib.import_module("plugin.app").create_app({"proxy_hops": args.proxy_hops})
    print(f"Storelift serving on http://{args.host}:{args.port}", flush=True)
    waitress.serve(app, host=args.host, port=args.port, **server_options(args.threads, args.proxy_hops))
    return 0


def register(commands) -> None:
    serve = commands.add_parser("serve", help="run the app under a production WSGI server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, default=8)
    serve.add_argument("--proxy-hops", type=int, default=1, choices=range(1, 6), metavar="N",
                       help="proxies in front of Storelift whose X-Forwarded-For is trusted, 1 to 5 (default 1: "
                            "the platform's; waitress would read 0 as 'trust the shopper's own header')")
    serve.set_defaults(func=_serve)
