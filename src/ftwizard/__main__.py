from ftwizard.cli.main import main

raise SystemExit(main())
