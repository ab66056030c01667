"""How every command reports a mistake the user can fix: one line, exit status 2.

:class:`UserError` is raised by commands; :class:`OneLineGroup` is the `cscperf`
group, which prints click's own usage errors (a bad option value, a missing
argument) the same way, and turns an unexpected exception into one line too
(``CSCPERF_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

import click

EXIT_USER = 2
EXIT_INTERNAL = 1


def say_error(message: str) -> None:
    click.echo(f"cscperf: error: {message}", err=True)


class UserError(click.ClickException):
    """A mistake in the input or the environment, worded for the user (exit 2)."""

    exit_code = EXIT_USER

    def show(self, file: IO[Any] | None = None) -> None:
        say_error(self.format_message())


class OneLineGroup(click.Group):
    """A click group whose errors are one ``cscperf: error: ...`` line."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.ClickException as exc:
            say_error(exc.format_message())
            sys.exit(EXIT_USER if isinstance(exc, click.UsageError) else exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(EXIT_INTERNAL)
        except (SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("CSCPERF_DEBUG"):
                raise
            text = str(exc).strip().splitlines()
            click.echo(
                f"cscperf: internal error: {type(exc).__name__}: {text[0] if text else ''} "
                "(please report it; CSCPERF_DEBUG=1 shows the details)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)
        sys.exit(code if isinstance(code, int) else 0)
