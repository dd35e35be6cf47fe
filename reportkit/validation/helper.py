"""great-expectations in a helper process of its own, started when a command starts.

Importing great-expectations and making its first validation cost about 3 s of CPU, all of it under the
interpreter lock: in a thread of the command's own process it slowed reading the inputs as much as it overlapped
it. The helper, forked before the inputs are read, imports and warms it up on another core meanwhile; each
validation is sent to it (the frames pickled through a queue), and the command runs its named checks while the
helper runs the suites. One helper per process serves every validation the process makes, so great-expectations
is imported once, and only there; it dies with the process (SIGTERM from the kernel on Linux, a daemon process
everywhere).

The helper is forked only by `start`, which a command calls first thing, and only from a process with no other
thread (forking a threaded process, a Jupyter kernel's for one, can leave a lock held for good in the child).
Without a helper, or should it die or be interrupted, validation runs in the calling process: the same suites on
the same frames, so the same findings, only slower. A process forked from one with a helper has none of its own.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import pickle
import threading
from typing import Any, Callable

from reportkit.processes import become_child_of

WAIT_SECONDS = 1.0
"""How often a wait for the helper's answer checks that the helper is still alive."""

_lock = threading.Lock()
_helper: Helper | None = None
_broken = False
"""The helper died or was interrupted: validations run in this process from then on."""


class Helper:
    """The helper process, the queue to it (a feeder thread sends, so a request never blocks the caller while
    the helper warms up) and the pipe back (its only writing end in the helper: a helper that dies mid-answer is
    an end of file here, never a wait for ever)."""

    def __init__(self, warm_up: Callable[[], None]) -> None:
        context = multiprocessing.get_context("fork")  # no second start of Python: pandas is imported already
        self.requests = context.Queue()
        self.replies, replying = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_serve,
            args=(self.requests, replying, os.getpid(), warm_up),
            name="reportkit-validation",
            daemon=True,
        )
        self.process.start()
        replying.close()
        # At exit, never wait to hand the helper a request it will not read (it died): nothing is lost by it.
        self.requests.cancel_join_thread()
        self.owner = os.getpid()
        self.numbers = itertools.count()
        self.answers: dict[int, tuple[bool, Any]] = {}

    def answer(self, number: int) -> tuple[bool, Any]:
        """The helper's answer to request `number` (ok, value or error); raises HelperGone if it died first."""
        while number not in self.answers:
            try:
                if not self.replies.poll(WAIT_SECONDS):
                    if not self.process.is_alive():
                        raise HelperGone
                    continue
                got, ok, value = pickle.loads(self.replies.recv_bytes())
            except (EOFError, OSError, pickle.UnpicklingError):
                raise HelperGone from None
            self.answers[got] = (ok, value)
        return self.answers.pop(number)

    def stop(self) -> None:
        """End the helper now (it was interrupted mid-answer, or died)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class HelperGone(Exception):
    """The helper process died (killed, out of memory) before it answered."""


def _serve(requests, replies, parent: int, warm_up: Callable[[], None]) -> None:
    """The helper's life: warm up, then answer requests in turn until the queue is closed. Each answer is pickled
    here, so one that cannot be is answered as an error rather than lost."""
    global _broken
    become_child_of(parent)
    _broken = True  # the helper has no helper of its own
    try:
        warm_up()
    except Exception:  # noqa: BLE001 - raised again, where it can be reported, by the first request
        pass
    while True:
        request = requests.get()
        if request is None:
            return
        number, payload = request
        try:
            function, args = pickle.loads(payload)
            answer = pickle.dumps((number, True, function(*args)))
        except Exception as exc:  # noqa: BLE001 - sent back and raised in the command's process
            answer = pickle.dumps((number, False, _sendable(exc)))
        del payload, request
        replies.send_bytes(answer)
        del answer
        _give_back_memory()


def _give_back_memory() -> None:
    """Return the memory of an answered request to the system (glibc keeps freed memory for reuse; the helper
    lives on beside the run, whose peak memory counts it): a market-sized validation leaves about 120 MB."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _sendable(exc: Exception) -> Exception:
    """The error itself when it can cross to the command's process, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - any pickling failure: keep the text
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _forget() -> None:
    """In a process forked from this one: the helper is the parent's, not ours."""
    global _helper, _lock
    _helper, _lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget)


def start(warm_up: Callable[[], None]) -> None:
    """Start this process's helper now, to run `warm_up` while the command reads its inputs; nothing when it has
    one, had one that died, or runs other threads (see the module's note)."""
    global _helper
    with _lock:
        if _helper is not None or _broken or threading.active_count() > 1:
            return
        try:
            _helper = Helper(warm_up)
        except Exception:  # noqa: BLE001 - no helper (no fork, a daemonic process): validate in this process
            _helper = None


class Pending:
    """A call sent to the helper; `result()` waits for its answer (or makes the call here, see the module doc)."""

    def __init__(self, function: Callable[..., Any], args: tuple, helper: Helper | None, number: int) -> None:
        self.function, self.args, self.helper, self.number = function, args, helper, number

    def result(self) -> Any:
        global _broken
        if self.helper is None or self.helper is not _helper:
            return self.function(*self.args)
        try:
            ok, value = self.helper.answer(self.number)
        except HelperGone:
            _broken = True
            return self.function(*self.args)
        except BaseException:  # interrupted mid-answer: what is left in the pipe could not be read in step
            _broken = True
            self.helper.stop()
            raise
        if not ok:
            raise value
        return value


def submit(function: Callable[..., Any], *args: Any) -> Pending:
    """Send `function(*args)` (a module-level function, its arguments picklable) to the helper and return at once;
    without a usable helper, the call is made here when its result is asked for."""
    helper = _helper
    if helper is None or _broken:
        return Pending(function, args, None, -1)
    number = next(helper.numbers)
    # Pickled here: arguments that cannot be are an error in the caller, and the helper reads every request.
    helper.requests.put((number, pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)))
    return Pending(function, args, helper, number)


def call(function: Callable[..., Any], *args: Any) -> Any:
    """`function(*args)` in the helper, waited for."""
    return submit(function, *args).result()


_one_run_per_helper = False
"""Set by the reportkit command (one_run_per_helper): a helper ends with its run's validation."""


def one_run_per_helper() -> None:
    """For the reportkit command's process: end each helper once its run has validated (`validated`), so that
    its memory (about 200 MB after a market-sized validation) does not stay beside the run's peak while it builds
    and renders. A Python user's process keeps its helper for the next validation, as a test suite does."""
    global _one_run_per_helper
    _one_run_per_helper = True


def validated() -> None:
    """A run has finished validating: in the command's process, end the helper now (the next run forks one)."""
    global _helper
    if not _one_run_per_helper:
        return
    with _lock:
        helper, _helper = _helper, None
    if helper is not None and helper.owner == os.getpid():
        helper.stop()
        helper.requests.close()  # every request was answered: its feeder thread ends at once
        feeder = getattr(helper.requests, "_thread", None)
        if feeder is not None:
            feeder.join(timeout=WAIT_SECONDS)  # gone, so the next run's process has no other thread and can fork


def helper_pid() -> int | None:
    """The helper's process id, or None when there is none (for tests and diagnostics)."""
    helper = _helper
    return helper.process.pid if helper is not None and not _broken else None
