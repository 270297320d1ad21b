"""The bundle's entry point (PyInstaller needs a script outside the package): the ``pmsdesk`` command."""

from pmsdesk.cli import main

raise SystemExit(main())
