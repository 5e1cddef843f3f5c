"""Triggered emails: welcome, browse, cart and checkout abandonment and win-back flows, sent through
one contact-pressure budget, with recommendations chosen when the email is opened (docs/emails.md)."""
