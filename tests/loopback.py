"""The address policy of tests that fetch from a newsroom through a bare client.

The address guard refuses loopback unless allowed. Daemon-level tests allow exactly their
newsroom's port (``Newsroom.address``, see ``newsroom_config.py``); the scraper's own tests,
which start newsrooms and helper servers on any free port, allow 127.0.0.1 on every port.
Neither switches the guard off: the address-guard tests use other policies.
"""

from scraper.addresses import AddressPolicy

LOOPBACK = AddressPolicy.build(allow=["127.0.0.1"])
