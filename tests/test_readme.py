"""The README's commands are the ones that work: CI runs the README's test command as written,
and every command the README shows uses the virtual environment (stock Debian and Ubuntu refuse
pip outside one, and have no `python`)."""
from __future__ import annotations

import re

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", README, re.S)


def test_ci_runs_the_readmes_test_command_as_written():
    test_command = next(block for block in _blocks() if "pytest" in block)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci, f"{test_command!r} is not a line of .ci/run"


def test_readme_commands_use_the_virtual_environment():
    blocks = _blocks()
    assert len(blocks) >= 3
    for block in blocks:
        for command in re.split(r"&&|\n", block):
            command = command.strip()
            assert not re.match(r"^(python |pip |python3 -m pip|python3\.\d+ )", command), command
            if "pip install" in command:
                assert command.startswith(".venv/bin/pip "), command
            if "build.py" in command or "pytest" in command:
                assert command.startswith(".venv/bin/python "), command
