"""The one way the build works in another process (sitegen/workers.py): the result or the
exception comes back, a child that dies or is cancelled fails loudly and is reaped, progress
arrives while the child goes on; and the link-preview cards drawn by workers are the same."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sitegen.output import cards
from sitegen.output.writer import BuildFailed
from sitegen.workers import Worker, WorkerFailed


def _no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_large_result_comes_back_whole():
    value = {"text": "نص " * 2_000_000, "numbers": list(range(100_000))}  # far more than a pipe holds
    assert Worker(lambda: value).result() == value
    assert _no_child_left()


def test_the_childs_exception_is_raised_in_the_parent_with_its_message():
    with pytest.raises(WorkerFailed, match="ZeroDivisionError: division by zero") as raised:
        Worker(lambda: 1 / 0).result()
    assert isinstance(raised.value.error, ZeroDivisionError)
    assert _no_child_left()


@pytest.mark.parametrize("how, said", [(lambda: os._exit(3), "exit status 3"),
                                       (lambda: os.kill(os.getpid(), 9), "killed by signal 9")])
def test_a_child_that_dies_fails_with_how_it_ended(how, said):
    with pytest.raises(WorkerFailed, match=f"ended before it finished \\({said}\\)"):
        Worker(how).result()
    assert _no_child_left()


def test_a_result_that_cannot_be_sent_back_is_an_error_not_a_hang():
    with pytest.raises(WorkerFailed, match="could not be sent back"):
        Worker(lambda: lambda: None).result()  # a lambda does not pickle


def test_a_cancelled_child_is_gone_at_once():
    child = Worker(time.sleep, 60)
    started = time.monotonic()
    child.cancel()
    assert time.monotonic() - started < 5
    assert _no_child_left()
    with pytest.raises(WorkerFailed, match="cancelled"):
        child.result()


def test_leaving_the_with_block_by_an_error_stops_the_child():
    started = time.monotonic()
    with pytest.raises(KeyError):
        with Worker(time.sleep, 60):
            raise KeyError("the parent's own work failed")
    assert time.monotonic() - started < 5
    assert _no_child_left()


def test_progress_arrives_while_the_child_goes_on():
    go_on_read, go_on_write = os.pipe()

    def work(done, items):
        for item in items[:3]:
            done()
        os.read(go_on_read, 1)  # waits for the parent, which has seen the first three
        for item in items[3:]:
            done()
        return len(items)

    worker = Worker(work, list(range(5)), progress=True)
    assert worker.wait_for(3) and worker.finished == 3  # the child is still waiting: this came while it ran
    os.write(go_on_write, b"x")
    assert worker.wait_for(5) and worker.result() == 5
    os.close(go_on_read), os.close(go_on_write)
    assert _no_child_left()


def test_waiting_for_more_than_a_failing_child_finishes_says_so():
    def work(done):
        done()
        raise ValueError("item two cannot be made")

    worker = Worker(work, progress=True)
    assert worker.wait_for(2) is False and worker.finished == 1
    with pytest.raises(WorkerFailed, match="ValueError: item two cannot be made"):
        worker.result()
    assert _no_child_left()


def test_nice_lowers_the_childs_priority():
    assert Worker(os.nice, 0, nice=5).result() == os.nice(0) + 5


def test_without_fork_the_function_runs_here(monkeypatch):
    monkeypatch.delattr(os, "fork")
    parent = os.getpid()
    worker = Worker(lambda done, n: [done() for _ in range(n)] and os.getpid(), 4, progress=True)
    assert worker.finished == 4 and worker.wait_for(4) and worker.result() == parent
    with pytest.raises(WorkerFailed, match="ZeroDivisionError"):
        Worker(lambda: 1 / 0).result()


def _cards(count: int) -> dict[str, cards.Card]:
    titles = ["عملية أمنية في الأنبار", "اعتقال مطلوبين في بغداد بعد تحقيق طويل استمر أشهرًا", "ضبط أسلحة"]
    return {f"cards/{i}.png": cards.Card(f"{titles[i % 3]} {i}", "الأمن", "٢٠٢٠", "ملف") for i in range(count)}


def test_cards_drawn_by_workers_are_the_cards_drawn_here(tmp_path: Path):
    wanted = _cards(20)  # more than 16: drawn by workers
    drawing = cards.Drawing(wanted, tmp_path, background=True)
    assert drawing._workers  # the workers started at once, before finish()
    drawn = drawing.finish()
    assert _no_child_left()
    assert {path: cards.render_card(card) for path, card in wanted.items()} == {
        path: png for path, png in drawn.items() if path != cards.MANIFEST}


def test_cancelled_card_drawing_leaves_no_process(tmp_path: Path):
    drawing = cards.Drawing(_cards(40), tmp_path, background=True)
    drawing.cancel()
    assert _no_child_left()


class _Unwrappable(str):
    """A title that has a key but cannot be laid out (the worker draws it, not this process)."""

    def split(self, *args):
        raise ValueError("this title cannot be laid out")


def test_a_card_worker_that_fails_fails_the_build(tmp_path: Path):
    wanted = _cards(20)
    wanted["cards/19.png"] = cards.Card(_Unwrappable("عنوان"), "", "", "ملف")
    drawing = cards.Drawing(wanted, tmp_path)
    assert drawing._workers
    with pytest.raises(BuildFailed, match="drawing the link-preview cards: ValueError: this title cannot be laid out"):
        drawing.finish()
    assert _no_child_left()
