"""``bench.server``'s app plus three block routes that stop part way, for ``bench.block_floor``.

Run as ``python -m bench.floor_server PORT DB``: it builds the shop's model, then serves. Each stage is a route behind the storefront door
(``widgets.door``), on the same app and waitress server as the bare route and the real
``/proxy/recommendations``, so each one's server CPU per request is what a block costs up to
that point:

- ``/proxy/floor/door``: the door alone: the app-proxy signature and the installed-shop check;
- ``/proxy/floor/page``: then the page's reads, exactly as the block route makes them
  (``widgets.recommendations.read_page``: settings, the visitor's person and session), the
  holdout arm, and the published model (its feed check);
- ``/proxy/floor/stored``: then an answer that costs nothing to choose or render: one fragment
  kept per published model, sent with its ETag as the block route sends its own.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import replace

import waitress
from flask import g

from plugin.recommendations.serving import api as recommendations
from plugin.recommendations.serving import holdout
from plugin.services import Services
from widgets import door
from widgets.recommendations import fragment, read_page, shopper_requests

from .recommendations import SHOP
from .server import build

floor = door.blueprint("floor", __name__)
STORED: list = [None, ""]  # the published model the fragment was rendered for, and the fragment


def _page():
    """The block route up to choosing: its slots, the page's reads, the first slot's arm, the model."""
    services = door.services()
    asked = [request for request, _ in shopper_requests()]
    page = read_page(asked)
    holdout.for_arm(services.store, g.shop, asked[0], page.person, page.now, page.experiments, bot=page.bot)
    return asked[0], page, services.models.current(g.shop)


@floor.get("/proxy/floor/door")
def door_only():
    return "", 200


@floor.get("/proxy/floor/page")
def page_read():
    _page()
    return "", 200


@floor.get("/proxy/floor/stored")
def stored_answer():
    asked, page, snapshot = _page()
    if STORED[0] is not snapshot:
        served = recommendations.recommend_for(door.services().models, g.shop, replace(asked, block="best_sellers"),
                                               page.settings, person=None, signals=[])
        STORED[:] = [snapshot, fragment(served, "")]
    return door.revalidated(STORED[1], "text/html", "Accept, Accept-Encoding")


if __name__ == "__main__":
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    port, db = int(sys.argv[1]), sys.argv[2]
    app = build(db)
    app.register_blueprint(floor)
    recommendations.rebuild(Services.of(app).models, SHOP)  # serve from the model, not the catalog, from the start
    waitress.serve(app, host="127.0.0.1", port=port, threads=4, ident="bench", _quiet=True)
