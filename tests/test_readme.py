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


def test_readme_is_for_the_people_who_use_the_project():
    """At most 200 lines, what it is and the two commands first, then the command line, adding an
    article and publishing; internals in ARCHITECTURE.md, figures in bench/README.md."""
    lines = README.splitlines()
    assert len(lines) <= 200, len(lines)
    headings = [line for line in lines if line.startswith("## ")]
    order = ["## Two commands", "## The command line", "## Adding an article", "## Publishing"]
    found = [next(i for i, h in enumerate(headings) if h.startswith(title)) for title in order]
    assert found == sorted(found), headings
    assert "NodeSource" in README
    assert "apt-get install -y python3-venv chromium chromium-headless-shell chromium-driver" in README
    architecture = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for part in ("sitegen/pipeline.py", "## The page kinds", "stages/render.py", "sitegen/search/"):
        assert part in architecture, part
    assert "| N |" not in README and "| N |" in (REPO / "bench" / "README.md").read_text(encoding="utf-8")


def _ci_packages(tmp_path, nodejs_version: str, npm: bool) -> list[str]:
    """The apt-get commands `.ci/run --system-only` runs on a machine with the given Node.js
    (a dpkg-query that reports nodejs_version, npm on the PATH or not), apt-get recording them."""
    import os
    import shutil
    import subprocess
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    log = tmp_path / "apt.log"
    (bin_dir / "python3").symlink_to(sys.executable)
    for name in ("dirname", "cat"):
        (bin_dir / name).symlink_to(shutil.which(name))
    scripts = {"apt-get": f'echo "apt-get $*" >> {log}', "chromium": "", "chromium-headless-shell": "",
               "chromedriver": "",
               "dpkg-query": f'[ -n "{nodejs_version}" ] && printf %s "{nodejs_version}" || exit 1'}
    if npm:
        scripts["npm"] = ""
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    result = subprocess.run([shutil.which("bash"), str(REPO / ".ci" / "run"), "--system-only"], capture_output=True,
                            text=True, env={"PATH": str(bin_dir), "HOME": os.environ.get("HOME", "/root")}, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_ci_never_asks_for_debians_npm_beside_nodesources_nodejs(tmp_path):
    assert _ci_packages(tmp_path / "a", "20.20.2-1nodesource1", npm=True) == []
    reinstall = _ci_packages(tmp_path / "b", "20.20.2-1nodesource1", npm=False)
    assert reinstall[-1].endswith("install -y -qq --reinstall nodejs") and not any(" npm" in c for c in reinstall)
    debian = _ci_packages(tmp_path / "c", "", npm=False)
    assert debian[-1].endswith("install -y -qq nodejs npm"), debian


def test_the_python_the_readme_asks_for_is_the_one_the_pins_need():
    """The README names the oldest Python every pinned package installs on (a stock Debian 12 has
    3.11.2, which pymdown-extensions 13 refuses): each pin's Requires-Python, read from the
    installed package, admits it, and one of them admits nothing older."""
    from importlib.metadata import metadata

    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    stated = re.search(r"need Python (\d+\.\d+\.\d+) or newer", README)
    assert stated, "the README does not say which Python the pins need"
    oldest = Version(stated.group(1))
    pins = [line.split("==")[0].strip() for name in ("requirements.txt", "requirements-dev.txt")
            for line in (REPO / name).read_text(encoding="utf-8").splitlines() if "==" in line and not line.startswith("#")]
    assert len(pins) > 20, pins
    needs = {pin: SpecifierSet(metadata(pin).get("Requires-Python") or "") for pin in pins}
    refused = {pin: str(need) for pin, need in needs.items() if not need.contains(oldest)}
    assert not refused, f"these pins need a newer Python than the README says: {refused}"
    lower_bounds = [Version(spec.version) for need in needs.values() for spec in need if spec.operator == ">="]
    assert max(lower_bounds) == oldest, f"the pins need Python {max(lower_bounds)}, the README says {oldest}"
