"""``python -m irisplug`` is the ``irisplug`` command."""

import sys

from irisplug.cli.main import main

sys.exit(main())
