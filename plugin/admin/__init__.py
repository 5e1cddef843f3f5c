"""The merchant's embedded admin door: the shell and one page module per feature.

``routes`` is the shell every page shares: the session-token check
(``session_required``), the navigation bar built from the menu registry
(``services.admin_menu``) and the status page. The landing page, "What Storelift earned", and
each feature's page (``earned``, ``capture``, ``emails``, ``segments``, ``recommendations``) is a part of its own: its
``init_app`` registers its routes and its menu entry, so adding a page is one
module and one line in ``plugin.app.PARTS``.
"""

from . import routes


def init_app(app, services) -> None:
    """The shell's routes and the status page, last in the menu (the landing page is ``earned``'s)."""
    app.register_blueprint(routes.bp)
    services.admin_menu.add("/admin/status", "Status", order=90)
