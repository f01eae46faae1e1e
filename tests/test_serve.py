"""`python build.py serve`: the preview regenerates when the dossier changes, drafts included."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from conftest import add_article


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def _wait_for(url: str, needle: str, seconds: float = 60) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            if needle in _get(url):
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} did not appear at {url} within {seconds} s")


def test_serve_regenerates_on_dossier_changes(repo):
    add_article(repo, draft="true")  # drafts show in serve
    port = _free_port()
    server = subprocess.Popen([sys.executable, "build.py", "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=repo,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}/"
        _wait_for(base + "articles/test-article/", "عنوان الخبر التجريبي")
        yml = repo / "dossier/articles/2010-election-results-alert.yml"
        yml.write_text(yml.read_text(encoding="utf-8").replace(
            "مثل الأعظمية والعامرية.", "مثل الأعظمية والعامرية. سطر-للمعاينة"), encoding="utf-8")
        took = _wait_for(base + "articles/2010-election-results-alert/", "سطر-للمعاينة")
        _wait_for(base, "سطر-للمعاينة")  # the home page's latest articles too
        print(f"edited article shown after {took:.2f} s")
        assert not (repo / "site").joinpath("articles/test-article").exists()  # serve never touches site/
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output, output
