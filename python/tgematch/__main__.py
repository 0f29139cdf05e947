"""``python -m tgematch``: the ``tgematch`` command."""

from tgematch.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
