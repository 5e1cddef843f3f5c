"""Customer privacy: the data requests and redactions the platform sends (GDPR topics).

The webhooks door's handlers apply them (``webhooks.handlers.privacy``) and the
store keeps the requests and their exports (``plugin.store.privacy``); this
package holds what the merchant runs by hand: ``commands`` (``storelift privacy``).
"""
