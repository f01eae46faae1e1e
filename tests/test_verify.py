"""A verifiable bundle (issue 27): the real `python build.py bundle` writes SHA256SUMS at the
bundle's root, which the real `sha256sum -c` accepts in an unzipped copy; `python build.py verify`
passes an intact copy (zip or folder), names every changed, added and removed file of a tampered
one, and refuses hostile zips without writing anything anywhere."""
from __future__ import annotations

import hashlib
import stat
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import run, snapshot, tree

TOP = "iraqi-security-dossier"


def unzipped(bundled: Path, target: Path) -> Path:
    with zipfile.ZipFile(bundled) as archive:
        archive.extractall(target)
    return target / TOP


def verify(bundled: Path, path: Path) -> subprocess.CompletedProcess:
    return run(bundled.parent.parent, "verify", str(path))


def test_sha256sum_checks_an_unzipped_copy(bundled, tmp_path):
    folder = unzipped(bundled, tmp_path)
    listed = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    # Exactly sha256sum's lines (hex, two spaces, name), sorted, covering every other file.
    assert listed == sorted(listed, key=lambda line: line[66:].encode())
    assert {line[66:] for line in listed} == set(tree(folder)) - {"SHA256SUMS"}
    assert all(line[64:66] == "  " and len(line[:64].strip("0123456789abcdef")) == 0 for line in listed)
    done = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK\n") == len(listed) and len(listed) > 50


def test_verify_passes_an_intact_zip_and_folder(bundled, tmp_path):
    files = len(tree(unzipped(bundled, tmp_path))) - 1
    for path in (bundled, tmp_path, tmp_path / TOP):  # the zip; the folder unzipped into, or the bundle's own
        result = verify(bundled, path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout == f"verified: all {files:,} files are exactly as built (SHA256SUMS)\n"
        assert result.stderr == ""


def test_verify_names_every_change_to_a_folder(bundled, tmp_path):
    folder = unzipped(bundled, tmp_path)
    page = sorted((folder / "articles").glob("*.html"))[0]
    page.write_bytes(page.read_bytes().replace("<h1".encode(), b"<h1 data-x"))
    (folder / "articles" / "planted.html").write_text("<p>planted</p>", encoding="utf-8")
    (folder / "about.html").unlink()
    result = verify(bundled, folder)
    assert result.returncode == 1
    name = page.relative_to(folder).as_posix()
    lines = result.stderr.splitlines()
    assert lines[-1] == "NOT verified: 3 difference(s) from SHA256SUMS"
    assert sorted(lines[:-1]) == sorted([
        "removed: about.html (listed in SHA256SUMS, missing from the copy)",
        "added: articles/planted.html (in the copy, not listed in SHA256SUMS)",
        f"changed: {name} (its SHA-256 is {hashlib.sha256(page.read_bytes()).hexdigest()}, SHA256SUMS says "
        f"{hashlib.sha256(zipfile.ZipFile(bundled).read(f'{TOP}/{name}')).hexdigest()})",
    ])
    # sha256sum agrees that the copy is not what was built.
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=folder, capture_output=True).returncode != 0


def test_verify_names_every_change_to_a_zip(bundled, tmp_path):
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundled) as source, zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == f"{TOP}/about.html":
                continue
            data = source.read(info)
            if info.filename == f"{TOP}/index.html":
                data = data.replace(b"</h1>", b" (edited)</h1>", 1)
            target.writestr(info, data)
        target.writestr(f"{TOP}/articles/planted.html", "<p>planted</p>")
    result = verify(bundled, tampered)
    assert result.returncode == 1
    lines = sorted(result.stderr.splitlines())  # one line each, in the order of their names
    assert lines[0] == "NOT verified: 3 difference(s) from SHA256SUMS"
    assert lines[1] == "added: articles/planted.html (in the copy, not listed in SHA256SUMS)"
    assert lines[2].startswith("changed: index.html (its SHA-256 is ")
    assert lines[3] == "removed: about.html (listed in SHA256SUMS, missing from the copy)"


def _zip_with(path: Path, entries) -> Path:
    """A zip holding a bundle-like SHA256SUMS and the given (ZipInfo or name, data) entries."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{TOP}/index.html", "<p>ok</p>")
        archive.writestr(f"{TOP}/SHA256SUMS", f"{hashlib.sha256(b'<p>ok</p>').hexdigest()}  index.html\n")
        for info, data in entries:
            archive.writestr(info, data)
    return path


def _link(name: str, target: str):
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


def _huge(path: Path) -> Path:
    """An entry whose central directory says it unzips to 4 GB (the field a bomb lies in)."""
    _zip_with(path, [(f"{TOP}/big.bin", b"x" * 100)])
    data = bytearray(path.read_bytes())
    header = data.rfind(b"PK\x01\x02")  # the last entry's central directory record
    data[header + 24:header + 28] = struct.pack("<I", 0xFFFFFFF0)
    path.write_bytes(bytes(data))
    return path


HOSTILE = {
    "dot-dot": (lambda p: _zip_with(p, [(f"{TOP}/../../evil.txt", "pwned")]),
                f"refused: entry '{TOP}/../../evil.txt': a `..` part: unzipped, it would be written outside the folder"),
    "absolute": (lambda p: _zip_with(p, [("/tmp/evil-absolute.txt", "pwned")]),
                 "refused: entry '/tmp/evil-absolute.txt': an absolute path: unzipped, it would be written outside "
                 "the folder"),
    "symlink": (lambda p: _zip_with(p, [_link(f"{TOP}/passwd.html", "/etc/passwd")]),
                f"refused: entry '{TOP}/passwd.html': a symbolic link: unzipped, it could point anywhere on the disk"),
    "huge": (_huge, f"refused: entry '{TOP}/big.bin': 4,294,967,280 bytes unzipped, over the 268,435,456 a "
                    "bundle's file may have"),
    "bomb": (lambda p: _zip_with(p, [(f"{TOP}/bomb.html", b"\0" * (40 << 20))]),
             f"refused: entry '{TOP}/bomb.html': 41,943,040 bytes from "),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_zips_are_refused_and_nothing_is_written(bundled, tmp_path, kind):
    make, expected = HOSTILE[kind]
    hostile = make(tmp_path / f"{kind}.zip")
    repo = bundled.parent.parent
    before = snapshot(repo)
    result = verify(bundled, hostile)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith(expected) for line in lines), result.stderr
    if kind == "bomb":
        assert "a zip bomb, not a page" in result.stderr
    assert lines[-1] == ("the zip was refused as a whole and nothing of it was read or written; it is not a bundle as "
                         "this project builds it")
    assert "verified" not in result.stdout
    # Nothing written: not in the repository, not beside the zip, not in /tmp.
    assert snapshot(repo) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [hostile.name]
    for planted in (tmp_path.parent / "evil.txt", repo.parent / "evil.txt", Path("/tmp/evil-absolute.txt")):
        assert not planted.exists()


def test_all_reasons_at_once_and_a_zip_without_sums(bundled, tmp_path):
    hostile = _zip_with(tmp_path / "two.zip", [(f"{TOP}/../a", "x"), _link(f"{TOP}/b", "/")])
    lines = verify(bundled, hostile).stderr.splitlines()
    assert [line.split(":")[1] for line in lines[:2]] == [f" entry '{TOP}/../a'", f" entry '{TOP}/b'"]
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("index.html", "x")
    result = verify(bundled, plain)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == ("no SHA256SUMS at the zip's top or in its one top folder: nothing to check the copy "
                             "against\n")
    not_a_zip = tmp_path / "page.html"
    not_a_zip.write_text("<p>x</p>")
    result = verify(bundled, not_a_zip)
    assert result.returncode == 1 and "not a zip file nor a folder" in result.stderr


def test_odd_names_are_written_as_sha256sum_writes_them(tmp_path):
    """Names with a backslash or a line feed are escaped as coreutils escapes them: its own output
    is byte for byte ours, and reads back the same."""
    from sitegen.checksums import parse_sums, sums_text

    names = ["plain.html", "مقال عربي.html", "back\\slash.html", "line\nfeed.html", "space .html"]
    for name in names:
        (tmp_path / name).write_bytes(name.encode("utf-8") * 3)
    ours = sums_text({name: hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() for name in names})
    theirs = subprocess.run(["sha256sum", "--", *sorted(names, key=str.encode)], cwd=tmp_path, capture_output=True,
                            env={"LC_ALL": "C"}).stdout.decode("utf-8")
    assert ours == theirs
    assert parse_sums(ours) == ({name: hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() for name in names}, [])
    (tmp_path / "SHA256SUMS").write_text(ours, encoding="utf-8")
    assert subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=tmp_path, capture_output=True).returncode == 0
