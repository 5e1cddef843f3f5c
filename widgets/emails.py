"""Links in triggered emails: ``/email/u/<token>``, the unsubscribe page and its one-click POST (RFC 8058).

The mail client POSTs ``List-Unsubscribe=One-Click`` to the URL in the
``List-Unsubscribe`` header with no cookies (RFC 8058 §3.2); a person who
clicks the footer's link gets a page with one button that POSTs the same. The
token names the send (``plugin.emails.tokens``), so no login is needed and no
address is shown. A bad or expired token changes nothing and says so.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from plugin.emails.tokens import BadToken, verify
from plugin.emails.unsubscribe import unsubscribe
from plugin.services import Services

bp = Blueprint("emails", __name__, template_folder="templates")


def _shop_name(shop: str) -> str:
    return shop.split(".")[0].replace("-", " ").title()


@bp.route("/email/u/<token>", methods=["GET", "POST"])
def unsubscribe_page(token: str):
    services = Services.of(current_app)
    try:
        holder = verify(services.config.api_secrets, "unsubscribe", token)
    except BadToken:
        return render_template("emails/unsubscribe.html", error="This unsubscribe link is damaged or too old"), 400
    if request.method == "GET":
        return render_template("emails/unsubscribe.html", shop=_shop_name(holder.shop))
    unsubscribe(services.store, holder)
    return render_template("emails/unsubscribe.html", done=True, shop=_shop_name(holder.shop))
