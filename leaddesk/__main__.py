import sys

from leaddesk.cli import main

sys.exit(main())
