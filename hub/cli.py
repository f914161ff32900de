"""The ``hub`` command. Command groups live in ``hub.commands.*`` and register themselves here."""

from __future__ import annotations

import typer

from hub.commands import batch, keys, report, risk, run, schemas

app = typer.Typer(no_args_is_help=True, add_completion=False, help="IP enforcement exchange hub")

# Each module's register(app) adds its commands. Importing them here is cheap, so `hub --help`
# stays fast: they import their heavy dependencies (faust, sqlalchemy) inside the command bodies.
COMMAND_MODULES = (
    run,  # up, demo, worker, publish, replay
    batch,  # batch
    keys,  # keys
    schemas,  # schemas check|release|list
    report,  # report, token
    risk,  # risk export, protection load|list
)


def build_app() -> typer.Typer:
    for module in COMMAND_MODULES:
        module.register(app)
    return app


def main() -> None:
    build_app()()


if __name__ == "__main__":
    main()
