"""``python -m cloudbackup_simulator`` is the same as the ``cloudbackup-simulator`` command."""

import sys

from .cli import main

sys.exit(main())
