"""great-expectations in a helper process of its own, started when a command starts.

Importing great-expectations and making its first validation cost about 3 s of CPU, all of it under the
interpreter lock: in a thread of the command's own process it slowed reading the inputs as much as it overlapped
it. The helper, forked before the inputs are read, imports and warms it up on another core meanwhile; each
validation is sent to it (the frames pickled through a queue), and the command runs its named checks while the
helper runs the suites. One helper per process serves every validation the process makes, so great-expectations
is imported once, and only there; it dies with the process (SIGTERM from the kernel on Linux, a daemon process
everywhere).

Should the helper fail to start or die, the validation it was given runs in this process instead: the same
suites on the same frames, so the same findings, only slower.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import queue
import threading
from typing import Any, Callable

from reportkit.processes import become_child_of

WAIT_SECONDS = 1.0
"""How often a wait for the helper's answer checks that the helper is still alive."""

_lock = threading.Lock()
_helper: Helper | None = None
_broken = False
"""The helper could not be started or died: validations run in this process from then on."""


class Helper:
    """The helper process and the two queues to it and back."""

    def __init__(self, warm_up: Callable[[], None]) -> None:
        context = multiprocessing.get_context("fork")  # no second start of Python: pandas is imported already
        self.requests = context.Queue()
        self.replies = context.Queue()
        self.process = context.Process(
            target=_serve,
            args=(self.requests, self.replies, os.getpid(), warm_up),
            name="reportkit-validation",
            daemon=True,
        )
        self.process.start()
        # At exit, never wait to hand the helper a request it will not read (it died): nothing is lost by it.
        self.requests.cancel_join_thread()
        self.numbers = itertools.count()
        self.answers: dict[int, tuple[bool, Any]] = {}

    def answer(self, number: int) -> tuple[bool, Any]:
        """The helper's answer to request `number` (ok, value or error); raises HelperGone if it died first."""
        while number not in self.answers:
            try:
                got, ok, value = self.replies.get(timeout=WAIT_SECONDS)
            except queue.Empty:
                if not self.process.is_alive():
                    raise HelperGone from None
                continue
            except (EOFError, OSError):
                raise HelperGone from None
            self.answers[got] = (ok, value)
        return self.answers.pop(number)


class HelperGone(Exception):
    """The helper process died (killed, out of memory) before it answered."""


def _serve(requests, replies, parent: int, warm_up: Callable[[], None]) -> None:
    """The helper's life: warm up, then answer requests in turn until the queue is closed."""
    global _broken, _lock
    become_child_of(parent)
    # Forked while the parent held the lock: this copy is locked for good, and the helper has no helper of its own.
    _lock, _broken = threading.Lock(), True
    try:
        warm_up()
    except Exception:  # noqa: BLE001 - raised again, where it can be reported, by the first request
        pass
    while True:
        request = requests.get()
        if request is None:
            return
        number, function, args = request
        try:
            replies.put((number, True, function(*args)))
        except Exception as exc:  # noqa: BLE001 - sent back and raised in the command's process
            replies.put((number, False, _sendable(exc)))


def _sendable(exc: Exception) -> Exception:
    """The error itself when it can cross to the command's process, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - any pickling failure: keep the text
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def start(warm_up: Callable[[], None]) -> None:
    """Start this process's helper now, if it has none, to run `warm_up` while the command reads its inputs."""
    global _helper, _broken
    with _lock:
        if _helper is not None or _broken:
            return
        try:
            _helper = Helper(warm_up)
        except Exception:  # noqa: BLE001 - no helper (no fork, a daemonic process): validate in this process
            _broken = True


class Pending:
    """A call sent to the helper; `result()` waits for its answer (or makes the call here, see module doc)."""

    def __init__(self, function: Callable[..., Any], args: tuple, number: int | None) -> None:
        self.function, self.args, self.number = function, args, number

    def result(self) -> Any:
        global _broken
        helper = _helper
        if self.number is None or helper is None:
            return self.function(*self.args)
        try:
            ok, value = helper.answer(self.number)
        except HelperGone:
            _broken = True
            return self.function(*self.args)
        if not ok:
            raise value
        return value


def submit(function: Callable[..., Any], *args: Any, warm_up: Callable[[], None]) -> Pending:
    """Send `function(*args)` (a module-level function, its arguments picklable) to the helper, started now with
    `warm_up` if need be, and return at once."""
    start(warm_up)
    helper = _helper
    if helper is None or _broken:
        return Pending(function, args, None)
    number = next(helper.numbers)
    helper.requests.put((number, function, args))
    return Pending(function, args, number)


def call(function: Callable[..., Any], *args: Any, warm_up: Callable[[], None]) -> Any:
    """`function(*args)` in the helper, waited for."""
    return submit(function, *args, warm_up=warm_up).result()


def helper_pid() -> int | None:
    """The helper's process id, or None when there is none (for tests and diagnostics)."""
    helper = _helper
    return helper.process.pid if helper is not None and not _broken else None
