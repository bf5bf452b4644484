"""The ``inkstone`` program and ``python -m inkstone``.

Nothing is imported until the program runs: a render worker is a new process that imports
the program's main script again (Python's ``spawn``), and loading the whole command line
there would cost each worker about 0.15 s of CPU for nothing.
"""


def run() -> None:
    """Run the command line (:func:`inkstone.cli.run`)."""
    from inkstone.cli import run as run_command_line

    run_command_line()


if __name__ == "__main__":
    run()
