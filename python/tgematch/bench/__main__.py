"""``python -m tgematch.bench ...``: the ``bench`` command without the CLI."""

from . import main

raise SystemExit(main())
