"""`python -m nn`: the `gradwork` command line (see `nn.cli`)."""

import sys

from nn.cli import main

sys.exit(main())
