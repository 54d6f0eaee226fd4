# -*- coding: utf-8 -*-
# Copyright: (c) 2026, rackspace.cloudbackup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Guarded imports of the collection's third-party libraries.

Private to the rackspace.cloudbackup collection: not a public API, may change at any time.

Its one concern: import ``requests`` and ``jmespath`` once, without failing when they are
absent (ansible-test's import sanity test and hosts without them), and keep the import
traceback so the module base can fail with ``missing_required_lib`` and the real cause.
"""

from __future__ import annotations

import traceback

# The libraries themselves are re-exported: other files take them from here, never directly.
__all__ = [
    "HAS_JMESPATH", "HAS_REQUESTS", "JMESPATH_IMPORT_ERROR", "REQUESTS_IMPORT_ERROR", "jmespath", "requests",
    "urllib3",
]

try:
    import requests
    # requests' own dependency: its exceptions tell a refused connection from a dropped one.
    import urllib3
except ImportError:
    requests = None
    urllib3 = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

try:
    import jmespath
except ImportError:
    jmespath = None
    HAS_JMESPATH = False
    JMESPATH_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_JMESPATH = True
    JMESPATH_IMPORT_ERROR = None
