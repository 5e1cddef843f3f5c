"""Helpers the tests share: signing, shops, servers, worlds. No test module imports another; they import these."""
