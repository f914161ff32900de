"""The ``hub`` command. Command groups live in ``hub.commands.*`` and register themselves here."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="IP enforcement exchange hub")

# Each module's register(app) adds its commands. Kept as names so `hub --help` stays cheap:
# modules import their heavy dependencies (faust, sqlalchemy) inside the command bodies.
COMMAND_MODULES = (
    "hub.commands.run",  # up, demo, worker, publish, replay
    "hub.commands.batch",  # batch
    "hub.commands.keys",  # keys
    "hub.commands.schemas",  # schemas check|release|list
    "hub.commands.report",  # report, token
)


def build_app() -> typer.Typer:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a command group not yet present in this checkout
        module.register(app)
    return app


def main() -> None:
    build_app()()


if __name__ == "__main__":
    main()
