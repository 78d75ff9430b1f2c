import sys

from lt_causal.cli import main

sys.exit(main())
