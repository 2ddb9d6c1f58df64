"""The offline sandbox: test doubles of the two services the bot talks to, and a runner.

- ``sandbox.uis``: the UIS Call API simulator (imports nothing from ``api``);
- ``sandbox.telegram``: the Telegram Bot API emulator (imports nothing from ``bot``);
- ``sandbox.world``: both plus the real bot in one process (end-to-end tests, the demo);
- ``sandbox.demo``: ``callbot demo``, a terminal chat with that world.

Nothing in ``api``, ``bot`` or ``db`` imports this package, except the CLI's ``demo`` and
``simulator`` subcommands, lazily. Deliberately empty so that importing one double does not
pull in the bot.
"""
