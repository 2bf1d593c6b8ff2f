"""SIGINT / SIGTERM: stop the running solver promptly, write nothing, leave no temporary file.

:func:`handle_signals` (the CLI runs every command inside it) installs handlers that raise
:class:`KeyboardInterrupt` in the main thread and a watcher thread woken by the signal (through
``signal.set_wakeup_fd``, which fires even while the main thread sits inside a native solver).
The watcher removes the temporary output files (:func:`mmroute.io.abort_outputs`, which also
refuses every later rename), asks the registered solvers to stop (:func:`stoppable`: CP-SAT's
``stop_search``, MathOpt's ``SolveInterrupter``, pywraplp's ``InterruptSolve``) and, if the main
thread has not ended the process within ``grace_s`` (a native call that cannot be stopped), ends
it itself with exit code ``128 + signal`` (130 for SIGINT, 143 for SIGTERM).

Native solvers must leave SIGINT to Python: CP-SAT with ``catch_sigint_signal = False``, SCIP
under pywraplp with ``misc/catchctrlc = FALSE`` (:data:`SCIP_NO_CTRLC`); otherwise they swallow
the signal and run on to their time limit.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from mmroute.io import abort_outputs, committing, resume_outputs

__all__ = ["handle_signals", "stoppable", "received", "exit_code", "SCIP_NO_CTRLC"]

#: pywraplp ``SetSolverSpecificParametersAsString`` text that keeps SCIP off SIGINT.
SCIP_NO_CTRLC = "misc/catchctrlc = FALSE\n"

_SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s)


class _Registry:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stoppers: dict[int, Callable[[], object]] = {}
        self.next_id = 0
        self.signum: int | None = None  # set by the main thread's handler only
        self.stopping = False  # set by the watcher once it has asked the solvers to stop


_REG = _Registry()


@contextmanager
def stoppable(stop: Callable[[], object]) -> Iterator[None]:
    """Within the block, a SIGINT/SIGTERM calls ``stop()`` (from another thread) at once.

    Without :func:`handle_signals` active this does nothing. A stop requested before the block
    is entered is applied on entry.
    """
    with _REG.lock:
        key = _REG.next_id
        _REG.next_id += 1
        _REG.stoppers[key] = stop
        pending = _REG.stopping
    if pending:
        _call(stop)
    try:
        yield
    finally:
        with _REG.lock:
            _REG.stoppers.pop(key, None)


def received() -> int | None:
    """The signal number that interrupted this run, or ``None``."""
    return _REG.signum


def exit_code(default: int = 130) -> int:
    """128 + the signal received (130 SIGINT, 143 SIGTERM); ``default`` if none was."""
    return default if _REG.signum is None else 128 + _REG.signum


def _call(stop: Callable[[], object]) -> None:
    try:
        stop()
    except Exception:  # noqa: BLE001 - a solver that cannot be stopped is ended by the watcher
        pass


def _stop_all() -> None:
    with _REG.lock:
        _REG.stopping = True
        stoppers = list(_REG.stoppers.values())
    for stop in stoppers:
        _call(stop)


def _handler(signum: int, frame: object) -> None:
    """Raise KeyboardInterrupt in the main thread, unless the final renames are under way (they
    finish: the outputs are whole and the run has succeeded)."""
    first = _REG.signum is None
    if first:
        _REG.signum = signum
    if first and not committing():
        raise KeyboardInterrupt


@contextmanager
def handle_signals(*, grace_s: float = 1.0, message: str = "mmroute: interrupted") -> Iterator[None]:
    """Install the SIGINT/SIGTERM handling described in the module docstring for the block.

    Outside the main thread (where Python cannot install handlers) the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread() or not _SIGNALS:
        yield
        return
    _REG.signum = None
    _REG.stopping = False
    resume_outputs()
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    try:
        err_fd = os.dup(2)  # solvers may point fd 2 at /dev/null while they run
    except OSError:
        err_fd = -1
    old_handlers = {s: signal.getsignal(s) for s in _SIGNALS}
    try:
        old_wakeup = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    except ValueError:  # a platform whose wakeup fd must be a socket: plain KeyboardInterrupt
        for fd in (read_fd, write_fd, err_fd):
            if fd >= 0:
                os.close(fd)
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                data = os.read(read_fd, 64)
            except OSError:
                return
            if not data or done.is_set():
                return
            signum = next((b for b in data if b in _SIGNALS), None)
            if signum is None:
                continue
            abort_outputs()  # the main thread's handler records the signal and raises
            _stop_all()
            if done.wait(grace_s):
                return
            abort_outputs()
            if err_fd >= 0:
                try:
                    os.write(err_fd, (message + "\n").encode())
                except OSError:
                    pass
            os._exit(128 + (_REG.signum or signum))  # a native call that would not stop

    watcher = threading.Thread(target=watch, name="mmroute-signal-watcher", daemon=True)
    for s in _SIGNALS:
        signal.signal(s, _handler)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        signal.set_wakeup_fd(old_wakeup)
        for s, h in old_handlers.items():
            signal.signal(s, h if h is not None else signal.SIG_DFL)
        os.close(write_fd)  # wakes the watcher's read with end-of-file
        watcher.join(timeout=1.0)
        os.close(read_fd)
        if err_fd >= 0:
            os.close(err_fd)
