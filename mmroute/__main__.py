"""``python -m mmroute`` runs the command line."""

import sys

from mmroute.cli import main

sys.exit(main())
