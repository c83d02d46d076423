"""Output folders: checked before any work, written aside, swapped into place whole, never destroyed by mistake.

`prepare_output(outdir, force, model_path)` refuses targets that must never be replaced (the current folder
or one above it, the folder holding the model or one above it, the home folder or one above it, `/`, a
symlink, an existing file or special file), turns every OSError into a TinyccError that names the path and
the reason, cleans what killed runs left beside the target, and creates the temporary folder the backend
writes into. `PendingOutput.commit()` puts it in place; leaving the `with` block without committing removes it.

Names beside the target `NAME` (all hidden, in the same parent, so renames stay on one filesystem):

    .NAME.tinycc-new.PID-START.RAND   the new output being written (after an exchange: the old folder)
    .NAME.tinycc-old.PID-START.RAND   the whole old folder, renamed aside (only without renameat2)
    .NAME.tinycc-del.PID-START.RAND   an old folder being deleted

PID and START (the process's start time in clock ticks, from /proc, 0 where unknown) identify the run; a
folder whose run is no longer alive is a leftover. `--force` replaces a folder by exchanging the two names
atomically (Linux renameat2 RENAME_EXCHANGE): the target always holds a whole folder, old or new. Where
the kernel or filesystem lacks it, the old folder is renamed aside, the new one renamed in, then the old
one deleted: a run killed between those two renames leaves no target, and the next run into the same place
renames the old folder back (the killed run never finished, so the state before it returns) before doing
anything else. Every other leftover of a dead run is deleted. Leftovers of live runs, of other targets,
and anything not matching these names exactly are never touched. Liveness is only checked on POSIX; on
other systems leftovers are kept. Processes in another PID namespace writing the same folder look dead.
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import re
import secrets
import shutil
import stat
import sys
from pathlib import Path

from tinycc.core.errors import TinyccError

KINDS = ("new", "old", "del")
HINT = "choose another -o folder"
# errors where the disk or the system said no (not a bug in tinycc): reported as user errors
ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO, errno.EACCES, errno.EPERM,
                      errno.ENAMETOOLONG, errno.EMLINK, errno.ENOTDIR, errno.EXDEV}


def _step(name: str, path: Path) -> None:
    """A point between two filesystem steps; does nothing (tests replace it to kill the run right there)."""


def _start_time(pid: int) -> int:
    """The process's start time in clock ticks since boot (Linux), 0 where unknown."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
        return int(text[text.rindex(")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return 0


def _alive(pid: int, start: int) -> bool:
    if os.name != "posix":
        return True               # os.kill(pid, 0) is not a probe there: keep everything
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True               # exists (another user's process), or no pid we could have had: keep
    now = _start_time(pid)
    return not (start and now and now != start)   # the same pid, a later process: the run is dead


def _label(name: str) -> str:
    """The target's name as used in its siblings' names (hashed when too long for one more suffix)."""
    return name if len(os.fsencode(name)) <= 160 else "h" + hashlib.sha256(os.fsencode(name)).hexdigest()[:32]


def _pattern(name: str) -> re.Pattern:
    return re.compile(rf"\.{re.escape(_label(name))}\.tinycc-({'|'.join(KINDS)})\.(\d+)-(\d+)\.[0-9a-f]{{8}}")


def _sibling(target: Path, kind: str) -> Path:
    token = f"{os.getpid()}-{_start_time(os.getpid())}.{secrets.token_hex(4)}"
    return target.parent / f".{_label(target.name)}.tinycc-{kind}.{token}"


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    return exc.strerror or str(exc)


def _leftovers(target: Path) -> list[tuple[str, Path]]:
    """(kind, path) of dead runs' folders beside `target`, exactly our names, oldest kind order."""
    pat = _pattern(target.name)
    found = []
    for entry in os.scandir(target.parent):
        m = pat.fullmatch(entry.name)
        if m and entry.is_dir(follow_symlinks=False) and not _alive(int(m[2]), int(m[3])):
            found.append((m[1], Path(entry.path)))
    return sorted(found, key=lambda kp: (KINDS.index(kp[0]), kp[1].name))


def _remove(path: Path, target: Path, notes: list[str]) -> None:
    """Delete a folder of ours beside `target`: renamed to a -del name first, so a half-deleted folder is never
    taken for a whole one; a failure becomes a note (the output is already right, only litter remains)."""
    try:
        if ".tinycc-del." not in path.name:
            doomed = _sibling(target, "del")
            os.rename(path, doomed)
            path = doomed
        _step("deleting", path)
        shutil.rmtree(path)
    except OSError as exc:
        notes.append(f"could not delete {path}: {_why(exc)}; delete it by hand")


def clean_leftovers(target: Path) -> list[str]:
    """Restore an old folder a killed run left aside (when the target is gone), delete every other leftover."""
    notes: list[str] = []
    for kind, path in _leftovers(target):
        if kind == "old" and not os.path.lexists(target):
            os.rename(path, target)
            notes.append(f"restored {target} from {path.name}, set aside by a tinycc run that was killed")
        else:
            _remove(path, target, notes)
            notes.append(f"removed {path.name}, left by a tinycc run that was killed")
    return notes


def _inside(path: Path, folder: Path) -> bool:
    """`path` is `folder` or inside it (both resolved)."""
    return path == folder or folder in path.parents


def _check_target(outdir: Path, model_path) -> Path:
    """The resolved target, or a TinyccError saying why it must not be replaced."""
    shown = str(outdir)
    try:
        st = os.lstat(outdir)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise TinyccError(f"cannot use {shown} as the output folder: {_why(exc)}", hint=HINT) from None
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise TinyccError(f"the output folder {shown} is a symbolic link; tinycc does not replace links",
                          hint=f"{HINT}, or give the folder the link points to")
    if st is not None and not stat.S_ISDIR(st.st_mode):
        what = "a file" if stat.S_ISREG(st.st_mode) else "a special file"
        raise TinyccError(f"the output folder {shown} exists and is {what}, not a folder", hint=HINT)
    try:
        real = Path(os.path.realpath(outdir))
    except OSError as exc:
        raise TinyccError(f"cannot use {shown} as the output folder: {_why(exc)}", hint=HINT) from None
    guarded = [(Path("/").resolve(), "the root folder")]
    try:
        guarded.append((Path.cwd().resolve(), "the current folder"))
    except OSError:
        pass
    try:
        guarded.append((Path.home().resolve(), "the home folder"))
    except (OSError, RuntimeError, KeyError):
        pass
    if model_path:
        for folder in (os.path.dirname(os.path.abspath(model_path)), os.path.dirname(os.path.realpath(model_path))):
            guarded.append((Path(os.path.realpath(folder)), f"the folder of the model {model_path}"))
    for folder, what in guarded:
        if _inside(folder, real):
            where = "is" if folder == real else "holds"
            raise TinyccError(f"refusing to write the output folder {shown}: it {where} {what}, whose contents "
                              "an output folder would replace", hint=f"{HINT}: a new folder of its own")
    return real


class PendingOutput:
    """A temporary folder beside the target; `commit()` puts it in place, `discard()` (or leaving `with`) drops it."""

    def __init__(self, target: Path, shown: str, force: bool, notes: list[str]):
        self.target, self.shown, self.force, self.notes = target, shown, force, notes
        self.path = _sibling(target, "new")
        try:
            self.path.mkdir()
        except OSError as exc:
            raise self.error("cannot create", exc) from None
        _step("created", self.path)

    def error(self, doing: str, exc: OSError) -> TinyccError:
        """`doing` the output folder failed: the message names the path (under the target's name) and the reason."""
        where = f" in {self.target.parent}"
        name = os.fsdecode(exc.filename) if exc.filename is not None else ""
        if name and Path(name) != self.path and self.path in Path(name).parents:
            where = f" ({Path(self.shown) / Path(name).relative_to(self.path)})"
        return TinyccError(f"{doing} the output folder {self.shown}{where}: {_why(exc)}",
                           hint="check the folder's permissions and free space, or choose another -o folder")

    def commit(self) -> None:
        """Put the written folder at the target; an existing one is replaced only with `force`."""
        try:
            self._commit()
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST) and not self.force:
                raise _not_empty(self.shown) from None
            raise self.error("cannot write", exc) from None

    def _commit(self) -> None:
        target, new = self.target, self.path
        _step("written", new)
        if not self.force or not os.path.lexists(target):
            os.replace(new, target)           # an empty folder there is replaced atomically; a full one fails
            _step("renamed-in", target)
            return
        st = os.lstat(target)                 # appeared or changed since the check: same rules as before
        if not stat.S_ISDIR(st.st_mode):
            raise TinyccError(f"the output folder {self.shown} is no longer a folder", hint=HINT)
        if _exchange(new, target):            # target: the new folder; `new`'s name: the old one
            _step("exchanged", target)
            _remove(new, target, self.notes)
            return
        aside = _sibling(target, "old")
        os.rename(target, aside)
        try:
            _step("aside", aside)
            os.rename(new, target)
        except BaseException:
            if not os.path.lexists(target):
                os.rename(aside, target)      # put the old one back before reporting the failure
            raise
        _step("renamed-in", target)
        _remove(aside, target, self.notes)

    def discard(self) -> None:
        """Remove the temporary folder (after an exchange it holds the old folder: removed too)."""
        if os.path.lexists(self.path):
            shutil.rmtree(self.path, ignore_errors=True)

    def writing(self):
        """A context in which the disk saying no (full, read-only, quota...) is a TinyccError, not a crash."""
        return _WriteErrors(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.discard()


class _WriteErrors:
    def __init__(self, pending: PendingOutput):
        self.pending = pending

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> None:
        if isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS:
            raise self.pending.error("cannot write", exc) from None


def _not_empty(shown: str, notes=()) -> TinyccError:
    done = "".join(f"\n  note: {note}" for note in notes)    # what cleaning up did before the refusal
    return TinyccError(f"output folder {shown} already exists and is not empty{done}",
                       hint="choose another -o folder, or pass --force to replace it")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names atomically (Linux renameat2 RENAME_EXCHANGE); False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False                          # the kernel or the filesystem has no exchange
    raise OSError(err, os.strerror(err), str(b))


def prepare_output(outdir, force: bool = False, model_path=None) -> PendingOutput:
    """Check `outdir`, clean leftovers beside it, and return the temporary folder to write into.

    Call before importing or compiling: every reason to refuse is found before any work is done.
    """
    outdir = Path(outdir)
    shown = str(outdir)
    target = _check_target(outdir, model_path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TinyccError(f"cannot create the folder {target.parent} to hold the output folder {shown}: "
                          f"{_why(exc)}", hint=HINT) from None
    try:
        notes = clean_leftovers(target)
        if os.path.lexists(target):
            target = _check_target(outdir, model_path)    # a restored folder: the same rules
            if not force and any(target.iterdir()):
                raise _not_empty(shown, notes)
    except OSError as exc:
        raise TinyccError(f"cannot use {shown} as the output folder: {_why(exc)}", hint=HINT) from None
    return PendingOutput(target, shown, force, notes)
