"""Subcommands of the ``pmsdesk`` command line.

Each module here defines ``HELP`` (one line), ``register(parser)`` to add its own arguments and
``run(args) -> int``. ``pmsdesk.cli`` adds ``--database URL`` to every subcommand and imports a
module only when its subcommand is used, so ``pmsdesk --help`` stays fast.
"""

# name -> module, in the order ``pmsdesk --help`` lists them.
COMMANDS: dict[str, str] = {
    "demo": "pmsdesk.commands.demo",
    "progression": "pmsdesk.commands.progression",
    "report": "pmsdesk.commands.report",
    "import": "pmsdesk.commands.import_",
    "export": "pmsdesk.commands.export",
    "backup": "pmsdesk.commands.backup",
    "restore": "pmsdesk.commands.restore",
    "audit": "pmsdesk.commands.audit",
}
