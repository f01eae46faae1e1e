"""Faults around the build (issue 22): two runs at once, site/ as a symbolic link, the bundle's
stamp and zip in dist/ that are not what `bundle` wrote. Real commands in copied repositories."""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import SITE_URL, copy_built, leftovers, run, snapshot, tree
from test_serve import Serve

from sitegen.output import offer
from sitegen.project import Project


def _start(repo: Path, *args: str) -> subprocess.Popen:
    environment = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "SITE_URL")}
    environment.update({"PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8", "SITE_URL": SITE_URL})
    return subprocess.Popen([sys.executable, "build.py", *args], cwd=repo, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace", env=environment)


def _held_by(repo: Path, who: str, process: subprocess.Popen, seconds: float = 120) -> str:
    """Wait until the process holds docs.lock (its holder line names it); that line."""
    lock = repo / ".build" / "docs.lock"
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        holder = lock.read_text(encoding="utf-8").strip() if lock.is_file() else ""
        if holder == f"{who} {process.pid}":
            return holder
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError(f"{who} did not take docs.lock within {seconds} s")


def _assert_built(repo: Path) -> None:
    site = repo / "site"
    assert (site / "index.html").is_file() and (site / "articles").is_dir()
    assert tree(site / "articles") and leftovers(repo) == []


# ---------------------------------------------------------------------------------- two runs at once

def test_build_while_serve_runs_is_refused_in_one_line_and_serve_goes_on(repo):
    before = {k: v for k, v in snapshot(repo).items() if k.startswith("site/")}
    server = Serve(repo)
    try:
        server.shows(server.base, "<html")
        built = run(repo, "build", timeout=120)
        second = subprocess.run([sys.executable, "build.py", "serve", "--dev-addr", "127.0.0.1:1"], cwd=repo,
                                capture_output=True, text=True, timeout=60)
        server.up()  # serve goes on: its preview comes up (the last build was shown meanwhile)
        server.shows(server.base + "articles/", "<html")
    finally:
        output = server.stop()
    assert built.returncode == 1, built.stdout + built.stderr
    line = f"build: `serve` is running in this checkout (process {server.process.pid}) and writes docs/"
    assert built.stderr.startswith(line) and len(built.stderr.strip().splitlines()) == 1, built.stderr
    assert second.returncode == 1 and second.stderr.startswith("serve: another `serve` is running"), second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    for text in (built.stdout + built.stderr, second.stderr, output):
        assert "Traceback" not in text and "stuck" not in text, text
    assert {k: v for k, v in snapshot(repo).items() if k.startswith("site/")} == before  # site/ untouched
    done = run(repo, "build")  # serve stopped: the build goes ahead
    assert done.returncode == 0, done.stderr
    _assert_built(repo)


def test_a_second_build_waits_for_the_first_and_both_leave_a_correct_site(repo):
    first = _start(repo, "build")
    holder = _held_by(repo, "build", first)
    second = run(repo, "build")
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    assert f"waiting for another build to finish (process {holder.split()[1]})…" in second.stderr
    for text in (out, err, second.stdout, second.stderr):
        assert "Traceback" not in text, text
    _assert_built(repo)


def test_serve_started_during_a_build_waits_for_it(repo):
    building = _start(repo, "build")
    _held_by(repo, "build", building)
    server = Serve(repo)
    try:
        server.wait_for_output("waiting for another build to finish")
        assert building.wait(timeout=300) == 0, building.communicate()
        server.shows(server.base, "<html")
        server.up()
    finally:
        output = server.stop()
    assert "Traceback" not in output, output


# --------------------------------------------------------------------------- site/ as a symbolic link

def test_site_as_a_link_is_kept_and_the_folder_it_leads_to_is_replaced(repo, tmp_path):
    served = tmp_path / "www" / "dossier"
    served.parent.mkdir()
    shutil.move(repo / "site", served)
    (served / "stale.html").write_text("old", encoding="utf-8")
    (repo / "site").symlink_to(served)
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    assert (repo / "site").is_symlink() and os.readlink(repo / "site") == str(served)  # the link is kept
    assert not (served / "stale.html").exists() and (served / "index.html").is_file()  # the served copy is new
    assert sorted(p.name for p in served.parent.iterdir()) == ["dossier"]  # nothing left beside it
    _assert_built(repo)


@pytest.mark.parametrize("kind", ["dangling", "into the checkout"])
def test_a_link_that_cannot_be_swapped_into_is_refused_with_nothing_changed(repo, tmp_path, kind):
    shutil.rmtree(repo / "site")
    target = tmp_path / "nowhere" if kind == "dangling" else repo / "docs"
    (repo / "site").symlink_to(target)
    before = snapshot(repo)
    result = run(repo, "build")
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output and "report this as a bug" not in output, output
    assert f"build failed: site/ is a symbolic link to {target}" in result.stderr, output
    assert (repo / "site").is_symlink() and os.readlink(repo / "site") == str(target)
    assert snapshot(repo) == before and not (tmp_path / "nowhere").exists()


# ------------------------------------------------------------------------------ the bundle in dist/

@pytest.fixture
def bundled_repo(bundled, tmp_path) -> Path:
    """A private copy of a repository whose dist/ holds a current bundle and its stamp."""
    destination = tmp_path / "repo"
    copy_built(bundled.parent.parent, destination)
    return destination


def _offer(repo: Path) -> tuple[object, str]:
    # as `build` would offer it: with the address the bundle was made for (run() sets SITE_URL)
    return offer.offered_bundle(Project.at(repo, site_url=SITE_URL))


def test_a_current_regular_valid_bundle_is_offered(bundled_repo):
    download, note = _offer(bundled_repo)
    assert note == "" and download.data == offer.bundle_path(Project.at(bundled_repo)).read_bytes()


def _zip_of(path: Path, names: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return path.read_bytes()


def _restamped(zip_path: Path, stamp: Path) -> None:
    """The stamp rewritten for the zip as it is now (as if both had been replaced together)."""
    digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()
    stamp.write_text(f"{stamp.read_text(encoding='utf-8').split()[0]}\n{digest}\n", encoding="utf-8")


def _damaged(data: bytes) -> bytes:
    """The zip with one byte of the first entry's compressed data changed (its CRC no longer matches)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        first = archive.infolist()[0]
    start = first.header_offset + 30 + len(first.filename.encode()) + len(first.extra) + 4
    return data[:start] + bytes([data[start] ^ 0xFF]) + data[start + 1:]


CASES = {
    "not a zip": lambda zip_path, stamp, elsewhere: zip_path.write_bytes(b"<html>not a zip</html>"),
    "damaged zip": lambda zip_path, stamp, elsewhere: zip_path.write_bytes(_damaged(zip_path.read_bytes())),
    "another zip": lambda zip_path, stamp, elsewhere: _zip_of(zip_path, {"secret.txt": b"x"}),
    "zip is a link": lambda zip_path, stamp, elsewhere: (shutil.move(zip_path, elsewhere), zip_path.symlink_to(elsewhere)),
    "zip is a folder": lambda zip_path, stamp, elsewhere: (zip_path.unlink(), zip_path.mkdir()),
    "zip is a FIFO": lambda zip_path, stamp, elsewhere: (zip_path.unlink(), os.mkfifo(zip_path)),
    "stamp not UTF-8": lambda zip_path, stamp, elsewhere: stamp.write_bytes(b"\xff\xfe" + stamp.read_bytes()),
    "stamp is a link": lambda zip_path, stamp, elsewhere: (shutil.move(stamp, elsewhere), stamp.symlink_to(elsewhere)),
    "stamp is a folder": lambda zip_path, stamp, elsewhere: (stamp.unlink(), stamp.mkdir()),
    "stamp is missing": lambda zip_path, stamp, elsewhere: stamp.unlink(),
    "stamp of an older bundle": lambda zip_path, stamp, elsewhere: stamp.write_text(
        stamp.read_text(encoding="utf-8").split()[0] + "\n", encoding="utf-8"),
    "not a zip, restamped": lambda zip_path, stamp, elsewhere: (
        zip_path.write_bytes(b"<html>not a zip</html>"), _restamped(zip_path, stamp)),
    "another zip, restamped": lambda zip_path, stamp, elsewhere: (
        _zip_of(zip_path, {"secret.txt": b"x"}), _restamped(zip_path, stamp)),
}
REASONS = {"not a zip": "SHA-256 differs", "damaged zip": "SHA-256 differs", "another zip": "SHA-256 differs",
           "stamp of an older bundle": "not one this version of `bundle` writes",
           "not a zip, restamped": "not a valid zip", "another zip, restamped": "not the offline bundle",
           "zip is a link": "symbolic link", "zip is a folder": "not a regular file",
           "zip is a FIFO": "not a regular file", "stamp not UTF-8": "not UTF-8",
           "stamp is a link": "symbolic link", "stamp is a folder": "not a regular file", "stamp is missing": "missing"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_anything_but_a_current_regular_valid_bundle_is_not_offered_and_says_why(bundled_repo, tmp_path, case):
    zip_path = offer.bundle_path(Project.at(bundled_repo))
    CASES[case](zip_path, zip_path.with_name(zip_path.name + ".input"), tmp_path / "elsewhere")
    download, note = _offer(bundled_repo)
    assert download is None
    assert note.startswith("note: dist/iraqi-security-dossier-offline.zip is not offered for download: ")
    assert REASONS[case] in note and "\n" not in note, note


def test_build_with_a_stamp_that_is_not_utf8_succeeds_without_offering_the_bundle(bundled_repo):
    zip_path = offer.bundle_path(Project.at(bundled_repo))
    stamp = zip_path.with_name(zip_path.name + ".input")
    built = run(bundled_repo, "build")  # the current bundle: offered
    assert built.returncode == 0, built.stderr
    assert (bundled_repo / "site" / "downloads" / zip_path.name).read_bytes() == zip_path.read_bytes()
    stamp.write_bytes(b"\xff" + stamp.read_bytes())
    result = run(bundled_repo, "build")
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "Traceback" not in output and "report this as a bug" not in output, output
    assert "is not offered for download: its stamp iraqi-security-dossier-offline.zip.input is not UTF-8" in result.stderr
    assert not (bundled_repo / "site" / "downloads").exists()
    assert zip_path.name not in (bundled_repo / "site" / "index.html").read_text(encoding="utf-8")
