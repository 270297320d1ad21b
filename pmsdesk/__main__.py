from pmsdesk.cli import main

raise SystemExit(main())
