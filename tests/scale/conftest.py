"""The scale test's marker: ``pytest -m "not scale"`` leaves the minute-long run out."""


def pytest_configure(config):
    config.addinivalue_line("markers", "scale: a minute-long run of real processes with faults (PostgreSQL only)")
