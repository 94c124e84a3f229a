"""Command groups whose subcommands are imported on first use.

``scrutiny --help`` needs each command's name and one-line help, not the
command itself: importing every command module (and what they import) to
print that list is what made the command line slow to start. A
``LazyGroup`` holds a table of ``Entry`` rows instead (see
``commands.cli.catalogue``); a command's module is imported when the command
is looked up by name (to run it, or to show its own ``--help``), once.

``LazyCommands`` is the group's ``commands`` mapping (click types it as a
``MutableMapping``): iterating it or testing ``name in`` it reads the table
only; reading a command (``[name]``, ``.get``, ``.items()``) loads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from gettext import gettext as _
from importlib import import_module
from typing import Any, NamedTuple

import click


class Entry(NamedTuple):
    """Where a top-level command lives and what ``--help`` says of it.

    ``location`` is ``"package.module:attribute"``. ``summary`` is the first
    sentence of the command's help (a test keeps the two equal). ``acts`` marks
    a group whose commands record acts. ``subcommands`` are further commands
    (``"module:attribute"``) added to the group when it is loaded, and
    ``listing`` is the read command a ``ListingGroup`` runs when named alone:
    the read side's listings live with the read side, not with the acts.
    """

    name: str
    location: str
    summary: str
    acts: bool = False
    subcommands: tuple[str, ...] = ()
    listing: str | None = None

    def load(self) -> click.Command:
        command = resolve(self.location)
        if self.subcommands or self.listing is not None:
            if not isinstance(command, click.Group):
                raise TypeError(f"{self.location} is not a group; it cannot hold other commands")
            for location in self.subcommands:
                command.add_command(resolve(location))
            if self.listing is not None:
                attach = getattr(command, "attach_listing", None)
                if not callable(attach):
                    raise TypeError(f"{self.location} has no default listing (not a ListingGroup)")
                attach(resolve(self.listing))
        return command


def resolve(location: str) -> click.Command:
    """The command at ``"package.module:attribute"``, importing its module."""
    module_name, _sep, attribute = location.partition(":")
    command = getattr(import_module(module_name), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{location} is not a click command")
    return command


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands by name: the table's, loaded on first use, and any added."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._entries = {entry.name: entry for entry in entries}
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        command = self._loaded.get(name)
        if command is None:
            command = self._entries[name].load()  # KeyError: no such command
            self._loaded[name] = command
        return command

    def get(self, name: str, default: Any = None) -> Any:
        # Only an unknown name gives the default: a KeyError raised while
        # loading a command is a bug to see, not "No such command".
        return self[name] if name in self else default

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._entries.pop(name, None)
        self._loaded.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._entries or name in self._loaded

    def __iter__(self) -> Iterator[str]:
        yield from self._entries
        yield from (name for name in self._loaded if name not in self._entries)

    def __len__(self) -> int:
        return len(self._entries.keys() | self._loaded.keys())

    def preview(self, name: str) -> click.Command:
        """The command if it is loaded, else a stand-in carrying only its summary."""
        command = self._loaded.get(name)
        if command is None:
            command = click.Command(name, help=self._entries[name].summary)
        return command


class LazyGroup(click.Group):
    """A group built from a table of ``Entry`` rows; lists them without importing them."""

    def __init__(self, name: str | None = None, entries: Iterable[Entry] = (),
                 **kwargs: Any) -> None:
        self.lazy_commands = LazyCommands(entries)
        super().__init__(name, commands=self.lazy_commands, **kwargs)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click's own listing, from the summaries: click's get_command would
        # import every command just to print its first sentence.
        shown = [(name, self.lazy_commands.preview(name)) for name in self.list_commands(ctx)]
        shown = [(name, command) for name, command in shown if not command.hidden]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _command in shown)
        with formatter.section(_("Commands")):
            formatter.write_dl([(name, command.get_short_help_str(limit))
                                for name, command in shown])


__all__ = ["Entry", "LazyCommands", "LazyGroup", "resolve"]
