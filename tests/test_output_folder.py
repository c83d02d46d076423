"""Output folders are never destroyed: `-o` is checked before any work, a `--force` target always holds a
whole folder (old or new), and what a killed run leaves beside it is cleaned by the next run.

Refusals go through the CLI (`tinycc.cli.main`, exit 2, the message names the path); kills run the CLI in a
subprocess that SIGKILLs itself at one step of tinycc/output_folder.py, then check the target byte by byte.
"""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tinycc import output_folder
from tinycc.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tiny_kws_int8.tflite"
NEW_FILES = ["CMakeLists.txt", "README.md", "cmake/arm-none-eabi.cmake", "kws.c", "kws.h", "kws_weights.c",
             "kws_weights.h", "library.json", "zephyr/CMakeLists.txt", "zephyr/Kconfig", "zephyr/module.yml"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> bytes); also fails on a symlink or special file."""
    out = {}
    for p in sorted(folder.rglob("*")):
        assert p.is_dir() or p.is_file(), p
        if p.is_file():
            out[str(p.relative_to(folder))] = p.read_bytes()
    return out


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".tinycc-" in p.name)


def user_error(capsys, argv, *needles) -> str:
    rc = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert rc == 2, (rc, err)
    assert "Traceback" not in err and "internal error" not in err, err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


@pytest.fixture
def no_import(monkeypatch):
    """Refusals must come before the model is read: reading it fails the test (exit 3)."""
    def loader(*args, **kwargs):
        raise AssertionError("the model was imported before the output folder was checked")
    monkeypatch.setattr("tinycc.driver.load_model", loader)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A current folder holding the user's files (which `-o .` must leave alone)."""
    cwd = tmp_path / "work"
    (cwd / "src").mkdir(parents=True)
    (cwd / "notes.txt").write_text("mine\n")
    (cwd / "src" / "main.c").write_text("int main(void) { return 0; }\n")
    monkeypatch.chdir(cwd)
    return cwd


@pytest.mark.parametrize("target", [".", "", "./", "..", "../..", "src/..", "/"])
def test_current_folder_and_its_ancestors_are_refused(capsys, workdir, no_import, target):
    before = snapshot(workdir.parent)
    user_error(capsys, ["compile", EXAMPLE, "-o", target, "--force"], f"refusing to write the output folder "
               f"{Path(target)}: it", "root folder" if target == "/" else "current folder")
    assert snapshot(workdir.parent) == before
    assert leftovers(workdir) == [] and leftovers(workdir.parent) == []


def test_folder_holding_the_model_and_its_ancestors_are_refused(capsys, tmp_path, workdir, no_import):
    models = tmp_path / "models" / "kws"
    models.mkdir(parents=True)
    model = models / "m.tflite"
    model.write_bytes(EXAMPLE.read_bytes())
    (models / "labels.txt").write_text("yes\nno\n")
    before = snapshot(tmp_path / "models")
    for target in (models, models.parent, models / ".." / "kws"):
        user_error(capsys, ["compile", model, "-o", target, "--force"], str(target), "the folder of the model")
    # a link to the model: the folder holding the link and the folder holding the file are both protected
    link = workdir / "src" / "m.tflite"
    link.symlink_to(model)
    user_error(capsys, ["compile", link, "-o", workdir / "src", "--force"], "the folder of the model")
    user_error(capsys, ["compile", link, "-o", models, "--force"], "the folder of the model")
    assert snapshot(tmp_path / "models") == before


def test_home_folder_is_refused(capsys, tmp_path, monkeypatch, workdir, no_import):
    home = tmp_path / "home" / "user"
    home.mkdir(parents=True)
    (home / ".profile").write_text("x\n")
    monkeypatch.setenv("HOME", str(home))
    user_error(capsys, ["compile", EXAMPLE, "-o", home, "--force"], str(home), "the home folder")
    user_error(capsys, ["compile", EXAMPLE, "-o", home.parent, "--force"], str(home.parent), "the home folder")
    assert (home / ".profile").read_text() == "x\n"


def test_symlinks_files_and_special_files_are_refused(capsys, tmp_path, workdir, no_import):
    real = tmp_path / "real"
    real.mkdir()
    (real / "keep").write_text("k")
    cases = {
        workdir / "link": ("symbolic link", lambda p: p.symlink_to(real)),
        workdir / "dangling": ("symbolic link", lambda p: p.symlink_to(tmp_path / "nowhere")),
        workdir / "file.txt": ("is a file", lambda p: p.write_text("data")),
        workdir / "fifo": ("special file", os.mkfifo),
    }
    for path, (needle, make) in cases.items():
        make(path)
        user_error(capsys, ["compile", EXAMPLE, "-o", path, "--force"], str(path), needle)
        assert os.path.lexists(path)
    user_error(capsys, ["compile", EXAMPLE, "-o", "/dev/null", "--force"], "/dev/null", "special file")
    assert (workdir / "file.txt").read_text() == "data" and snapshot(real) == {"keep": b"k"}
    assert not (tmp_path / "nowhere").exists()
    assert leftovers(workdir) == []


def test_unwritable_places_are_clear_errors(capsys, tmp_path, workdir, no_import):
    """Root ignores chmod, so these are places no one can write: under /proc, under a file."""
    (workdir / "file.txt").write_text("data")
    user_error(capsys, ["compile", EXAMPLE, "-o", workdir / "file.txt" / "out"], "file.txt/out",
               "a part of the path is a file")
    user_error(capsys, ["compile", EXAMPLE, "-o", workdir / "file.txt" / "a" / "out"], "file.txt/a/out",
               "a part of the path is a file")
    user_error(capsys, ["compile", EXAMPLE, "-o", "/proc/tinycc-out"], "/proc/tinycc-out", "No such file")
    user_error(capsys, ["compile", EXAMPLE, "-o", "/proc/tinycc/out"], "/proc/tinycc/out", "cannot create the folder")
    assert (workdir / "file.txt").read_text() == "data"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; the /proc cases stand in")
def test_read_only_parent_is_a_clear_error(capsys, tmp_path, no_import):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        user_error(capsys, ["compile", EXAMPLE, "-o", parent / "out"], str(parent / "out"), "Permission denied")
    finally:
        parent.chmod(0o755)


def test_non_empty_folder_is_refused_without_force_before_import(capsys, tmp_path, no_import):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("k")
    user_error(capsys, ["compile", EXAMPLE, "-o", out], "already exists and is not empty", "--force")
    assert snapshot(out) == {"keep.txt": b"k"} and leftovers(tmp_path) == []


def test_disk_full_while_writing_is_a_clear_error(capsys, tmp_path, monkeypatch):
    """ENOSPC from the backend: exit 2 naming the file (under the target's name), nothing left behind."""
    from tinycc.core.plugins import registry
    be = registry().get("backend", "c")
    real_compile = be.compile

    def full(g, plan, outdir, options):
        real_compile(g, plan, outdir, options)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(Path(outdir) / "model.c"))
    monkeypatch.setattr(be, "compile", full)
    out = tmp_path / "out"
    user_error(capsys, ["compile", EXAMPLE, "-o", out], f"{out / 'model.c'}", "No space left on device")
    assert sorted(os.listdir(tmp_path)) == []


def test_file_size_limit_while_writing_is_a_clear_error(tmp_path):
    """A real write failure (RLIMIT_FSIZE: EFBIG) in a real process: exit 2, nothing left behind."""
    script = tmp_path / "limited.py"
    script.write_text(textwrap.dedent("""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        from tinycc.cli import main
        sys.exit(main(sys.argv[1:]))
    """))
    dest = tmp_path / "dest"
    dest.mkdir()
    proc = subprocess.run([sys.executable, script, "compile", EXAMPLE, "-o", dest / "out"],
                          check=False, capture_output=True, text=True, env={**os.environ, "COLUMNS": "300"})
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert f"cannot write the output folder {dest / 'out'}" in proc.stderr and "File too large" in proc.stderr
    assert os.listdir(dest) == []


def test_force_replaces_the_whole_folder_and_leaves_nothing_beside_it(capsys, tmp_path, monkeypatch):
    for exchange in (True, False):
        if not exchange:
            monkeypatch.setattr(output_folder, "_exchange", lambda a, b: False)
        dest = tmp_path / f"dest{exchange}"
        out = dest / "out"
        assert main(["compile", str(EXAMPLE), "-o", str(out), "--name", "old"]) == 0
        (out / "sub").mkdir()
        (out / "sub" / "extra.bin").write_bytes(b"\0" * 1000)
        assert main(["compile", str(EXAMPLE), "-o", str(out), "--name", "kws", "--force"]) == 0
        assert sorted(snapshot(out)) == NEW_FILES
        assert os.listdir(dest) == ["out"]
    capsys.readouterr()


def test_interrupt_between_the_two_renames_puts_the_old_folder_back(capsys, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert main(["compile", str(EXAMPLE), "-o", str(out), "--name", "old"]) == 0
    old = snapshot(out)

    def interrupt(step, path):
        if step == "aside":
            raise KeyboardInterrupt
    monkeypatch.setattr(output_folder, "_exchange", lambda a, b: False)
    monkeypatch.setattr(output_folder, "_step", interrupt)
    assert main(["compile", str(EXAMPLE), "-o", str(out), "--force"]) == 130
    assert snapshot(out) == old and os.listdir(tmp_path) == ["out"]
    capsys.readouterr()


def test_a_folder_appearing_during_the_compile_is_not_replaced_without_force(capsys, tmp_path, monkeypatch):
    out = tmp_path / "out"

    def race(step, path):
        if step == "written":
            out.mkdir()
            (out / "theirs.txt").write_text("t")
    monkeypatch.setattr(output_folder, "_step", race)
    user_error(capsys, ["compile", EXAMPLE, "-o", out], "already exists and is not empty")
    assert snapshot(out) == {"theirs.txt": b"t"} and os.listdir(tmp_path) == ["out"]


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_only_dead_runs_leftovers_of_this_target_are_cleaned(capsys, tmp_path):
    me, start = os.getpid(), output_folder._start_time(os.getpid())
    gone = dead_pid()
    names = {
        f".out.tinycc-new.{gone}-0.0123abcd": False,                 # dead run: cleaned
        f".out.tinycc-del.{gone}-5.89abcdef": False,
        f".out.tinycc-new.{me}-{start}.0123abcd": True,              # a live run (this one): kept
        f".out.tinycc-new.{me}-{start + 1 if start else 0}.00000000": not start,  # a reused pid: cleaned
        f".out2.tinycc-new.{gone}-0.0123abcd": True,                 # another target
        f".out.tinycc-tmp.{gone}-0.0123abcd": True,                  # not our exact names
        f".out.tinycc-new.{gone}-0.0123abcd.x": True,
        f".out.tinycc-new.{gone}.0123abcd": True,
        "out.tinycc-new.1-0.0123abcd": True,
    }
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "f").write_text("x")
    (tmp_path / f".out.tinycc-new.{gone}-0.fedcba98").write_text("a file, not ours")
    assert main(["compile", str(EXAMPLE), "-o", str(tmp_path / "out")]) == 0
    left = set(os.listdir(tmp_path))
    assert left == {"out", f".out.tinycc-new.{gone}-0.fedcba98"} | {n for n, kept in names.items() if kept}
    assert "removed .out.tinycc-new" in capsys.readouterr().out


KILL_SCRIPT = """
import os, signal, sys
from pathlib import Path
from tinycc import output_folder
from tinycc.cli import main

step, exchange = sys.argv[1], sys.argv[2]
if exchange == "fallback":
    output_folder._exchange = lambda a, b: False

def kill_at(name, path):
    if name == step:
        if name == "deleting":           # half of the old folder's files are gone when the kill lands
            files = sorted(p for p in Path(path).rglob("*") if p.is_file())
            for f in files[: len(files) // 2]:
                f.unlink()
        os.kill(os.getpid(), signal.SIGKILL)

output_folder._step = kill_at
sys.exit(main(sys.argv[3:]))
"""

# step -> (what the target holds right after the kill, kinds of leftovers beside it)
KILLS = {
    ("exchange", "created"): ("old", ["new"]),
    ("exchange", "written"): ("old", ["new"]),
    ("exchange", "exchanged"): ("new", ["new"]),        # the -new name holds the old folder
    ("exchange", "deleting"): ("new", ["del"]),
    ("fallback", "aside"): (None, ["new", "old"]),      # the next run puts the old folder back
    ("fallback", "renamed-in"): ("new", ["old"]),
    ("fallback", "deleting"): ("new", ["del"]),
}


def exchange_works(tmp_path) -> bool:
    (tmp_path / "xa").mkdir()
    (tmp_path / "xb").mkdir()
    try:
        return output_folder._exchange(tmp_path / "xa", tmp_path / "xb")
    finally:
        (tmp_path / "xa").rmdir()
        (tmp_path / "xb").rmdir()


@pytest.mark.parametrize("how,step", list(KILLS))
def test_killed_force_compile_leaves_a_whole_folder_and_the_next_run_cleans_up(capsys, tmp_path, how, step):
    if how == "exchange" and not exchange_works(tmp_path):
        pytest.skip("this filesystem has no renameat2 RENAME_EXCHANGE; the fallback cases cover it")
    assert main(["compile", str(EXAMPLE), "-o", str(tmp_path / "ref"), "--name", "kws"]) == 0
    new = snapshot(tmp_path / "ref")
    dest = tmp_path / "dest"
    out = dest / "out"
    assert main(["compile", str(EXAMPLE), "-o", str(out), "--name", "old"]) == 0
    for i in range(300):                                 # an old folder with many files to delete
        (out / "data" / f"{i % 7}").mkdir(parents=True, exist_ok=True)
        (out / "data" / f"{i % 7}" / f"{i}.bin").write_bytes(os.urandom(64))
    old = snapshot(out)
    capsys.readouterr()

    script = tmp_path / "kill.py"
    script.write_text(KILL_SCRIPT)
    proc = subprocess.run([sys.executable, script, step, how, "compile", EXAMPLE, "-o", out, "--name", "kws",
                           "--force"], check=False, capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr)

    holds, kinds = KILLS[how, step]
    if holds is None:
        assert not os.path.lexists(out)
    else:
        assert snapshot(out) == {"old": old, "new": new}[holds]
    left = leftovers(dest)
    assert [name.split(".tinycc-")[1].split(".")[0] for name in left] == kinds, left
    if step == "aside":                                  # both whole: the old aside, the new written
        assert snapshot(dest / left[1]) == old and snapshot(dest / left[0]) == new
    if step == "deleting":
        assert 0 < len(snapshot(dest / left[0])) < len(old)

    # the next run into the same place: leftovers cleaned (an old folder set aside is put back), then refused
    err = user_error(capsys, ["compile", EXAMPLE, "-o", out], "already exists and is not empty")
    assert snapshot(out) == ({"old": old, "new": new}[holds] if holds else old)
    assert os.listdir(dest) == ["out"], os.listdir(dest)
    if holds is None:
        assert "restored" in err
    # and with --force: the new folder, nothing beside it
    assert main(["compile", str(EXAMPLE), "-o", str(out), "--name", "kws", "--force"]) == 0
    assert snapshot(out) == new and os.listdir(dest) == ["out"]
