"""`python -m baocao_cli.cli`, as the installed `baocao` command."""

import sys

from .app import main

sys.exit(main())
