"""Mutation testing with Cosmic Ray, one module at a time, in a copy of the project (`make mutation`).

    python tests/mutation.py                                   # every module in TARGETS
    python tests/mutation.py cabinet/references.py             # one module, with its tests from TARGETS
    python tests/mutation.py decisions/views.py:_group,dashboard   # only those functions' lines
    python tests/mutation.py decisions/access.py --tests "tests/test_access.py tests/test_views.py"
    python tests/mutation.py --retest cabinet/references.py    # only last run's survivors, against today's tests

Each mutant is one small change (`<` to `<=`, `and` to `or`, a number plus one, a `break` to `continue`...); the
module's tests run against it and should fail ("killed"). The copy keeps the working tree untouched, so an interrupted
run never leaves a mutant behind. Cosmic Ray's local distributor runs one mutant at a time: one worker.
"""

import argparse
import ast
import fnmatch
import hashlib
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Module (or module:function,function) -> the tests that exercise it. Unlisted modules run the whole suite.
TARGETS = {
    "cabinet/references.py": "tests/test_references.py",
    "cabinet/grounds.py": "tests/test_grounds.py",
    "cabinet/history.py": "tests/test_history.py",
    "decisions/importing.py": "tests/test_importing.py",
    "decisions/reminders/schedule.py": "tests/test_reminder_schedule.py",
    "decisions/views.py:_group,dashboard": "tests/test_dashboard.py",
    "cabinet/business_days.py": "tests/test_business_days.py",
    # The follow-up lifecycle: the table and its checks, and the steps FollowUp.take() runs.
    "decisions/lifecycle.py": "tests/test_lifecycle.py tests/test_extensions.py",
    "decisions/models.py:" + ",".join([
        "one_month_after", "FollowUp.waiting_request", "FollowUp.available_steps", "FollowUp.take", "FollowUp._step_*",
        "FollowUp._close", "FollowUp._change_due_date", "FollowUp._return_to_open", "FollowUp._apply",
        "DueDateChange.close",
    ]): "tests/test_lifecycle.py tests/test_extensions.py tests/test_models.py",
}
# Being rewritten by other branches at the time of the first run; point `make mutation MODULES=...` at them after merging.
LATER = {
    "decisions/access.py": "tests/test_access.py tests/test_views.py",
    "decisions/reminders/sending.py": "tests/test_reminders.py tests/test_reminders_concurrency.py",
}
# Cosmic Ray replaces each arithmetic operator by every other one. The replacements by a bitwise operator, a shift or
# a power are left out (`--all-operators` puts them back): no one writes `day << 3` for `day + 3`, on dates they all
# fail at once like `-` does, and they were a third of the mutants and of the time. `+`/`-`, `*`, `/`, `//`, `%` for
# one another, every comparison, `and`/`or`, `not`, numbers, booleans, decorators, loops and `break` stay.
EXCLUDED_OPERATORS = [r"core/ReplaceBinaryOperator_[A-Za-z]+_(BitAnd|BitOr|BitXor|LShift|RShift|Pow)$"]
IGNORED = shutil.ignore_patterns(".git", ".venv", "node_modules", "__pycache__", "*.sqlite3", ".mutation")


def function_lines(path, names):
    """The line ranges ("12-40") of the named functions or classes of `path`: top-level names, `Class.method`, and
    shell-style patterns of either (`FollowUp._step_*`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    definitions = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    found = {}
    for node in tree.body:
        if isinstance(node, definitions):
            found[node.name] = node
            if isinstance(node, ast.ClassDef):
                found.update({f"{node.name}.{child.name}": child for child in node.body if isinstance(child, definitions)})
    ranges = []
    for name in names:
        matches = [node for key, node in found.items() if fnmatch.fnmatchcase(key, name)]
        if not matches:
            raise SystemExit(f"{path}: no {name}")
        # A decorated function's range starts at its first decorator.
        ranges += [f"{min([node.lineno, *(d.lineno for d in node.decorator_list)])}-{node.end_lineno}" for node in matches]
    return ranges


# Test settings for the copy: the SQLite test database is a file that a template (migrated once, with its reference
# data) is copied over before each mutant's run, so no run spends its time migrating. Only the copy gets this file.
FAST_SETTINGS = """from tests.settings import *  # noqa: F403

DATABASES["default"]["TEST"] = {"NAME": __import__("os").environ["MUTATION_TEST_DB"]}  # noqa: F405
"""


def prepare_database(copy, workdir):
    """Migrate the template test database once; return the environment that points each run at a fresh copy of it.

    On PostgreSQL (DATABASE_URL set) nothing is prepared: each run creates and migrates its own test database.
    """
    import os

    if os.environ.get("DATABASE_URL", "").split(":", 1)[0] not in ("", "sqlite"):
        return None
    (copy / "tests" / "mutation_settings.py").write_text(FAST_SETTINGS, encoding="utf-8")
    # tmpfs when there is one: the template is copied once per mutant.
    scratch = Path("/dev/shm") if Path("/dev/shm").is_dir() else workdir
    template = scratch / f"mutation-{os.getpid()}-template.sqlite3"
    database = scratch / f"mutation-{os.getpid()}.sqlite3"
    for path in (template, database):
        path.unlink(missing_ok=True)
    environment = {**os.environ, "MUTATION_TEST_DB": str(template), "DJANGO_SETTINGS_MODULE": "tests.mutation_settings"}
    # Any database test creates the test database; --create-db and --reuse-db leave it behind as the template.
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--reuse-db", "--create-db",
         "--ds=tests.mutation_settings", "tests/test_history.py"],
        cwd=copy, env=environment, check=True, stdout=subprocess.DEVNULL,
    )
    with sqlite3.connect(template) as connection:  # everything into the one file, so a plain copy is the whole database
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    return template, database


def test_command(tests, database):
    pytest = f"{shlex.quote(sys.executable)} -m pytest -x -q -p no:randomly -p no:cacheprovider"
    if database is None:
        return f"{pytest} {tests}"
    template, copy = database
    script = (f"rm -f {copy}-wal {copy}-shm && cp {template} {copy} && MUTATION_TEST_DB={copy} "
              f"exec {pytest} --reuse-db --ds=tests.mutation_settings {tests}")
    return f"sh -c {shlex.quote(script)}"


def write_config(copy, workdir, target, tests, timeout, database=None):
    module, _, functions = target.partition(":")
    path = copy / module
    command = test_command(tests, database)
    lines = [
        "[cosmic-ray]", f'module-path = "{path}"', f"timeout = {timeout}", "excluded-modules = []",
        f"test-command = {command!r}", "", "[cosmic-ray.distributor]", 'name = "local"',
    ]
    if EXCLUDED_OPERATORS:
        lines += ["", "[cosmic-ray.filters.operators-filter]", f"exclude-operators = {EXCLUDED_OPERATORS!r}"]
    if functions:
        ranges = function_lines(path, functions.split(","))
        lines += ["", "[cosmic-ray.filters.line-filter.lines]", f'"{path}" = {ranges!r}']
    name = target.replace("/", "_").replace(":", "-").replace(",", "_").replace("*", "")
    if len(name) > 60:  # a long list of functions: the module's name and a digest of the list
        name = f"{name[:40]}-{hashlib.sha1(target.encode()).hexdigest()[:8]}"
    config = workdir / f"{name}.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config, workdir / f"{name}.sqlite", bool(functions)


def summarise(session):
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome

    with use_db(str(session), WorkDB.Mode.open) as db:
        done = [(item, result) for item, result in db.completed_work_items
                if result.worker_outcome not in (WorkerOutcome.SKIPPED, WorkerOutcome.NO_TEST)]
        survivors = [(item, result) for item, result in done if not result.is_killed]
    return len(done), survivors


def run(target, tests, *, copy, workdir, timeout, retest=False, resume=False, database=None):
    config, session, filtered = write_config(copy, workdir, target, tests, timeout or 120, database)
    tools = Path(sys.executable).parent
    started = time.monotonic()

    def step(*command):
        subprocess.run([str(tools / command[0]), *command[1:]], cwd=copy, check=True)

    if resume and session.exists():
        pass  # the mutants not yet tested (an interrupted run) are tested; the results so far stand
    elif retest and session.exists():
        # The mutants are where they were (the module is unchanged); only the survivors are tested again.
        with sqlite3.connect(session) as work:
            work.execute("DELETE FROM work_results WHERE test_outcome = 'SURVIVED'")
    else:
        step("cosmic-ray", "--verbosity", "ERROR", "init", "--force", str(config), str(session))
        baseline = time.monotonic()
        step("cosmic-ray", "--verbosity", "ERROR", "baseline", str(config))
        if timeout is None:
            # A mutant that makes the tests loop (or build a table of every date since year 1) is killed by the
            # timeout: five times the unmutated run, at least 30 seconds, leaves room for the machine's load.
            timeout = max(30.0, 5 * (time.monotonic() - baseline))
            config, session, filtered = write_config(copy, workdir, target, tests, timeout, database)
            print(f"{target}: baseline {time.monotonic() - baseline:.0f} s, timeout {timeout:.0f} s", flush=True)
        if filtered:
            step("cr-filter-lines", "--config", str(config), str(session))
        if EXCLUDED_OPERATORS:
            step("cr-filter-operators", str(session), str(config))
    step("cosmic-ray", "--verbosity", "ERROR", "exec", str(config), str(session))
    minutes = (time.monotonic() - started) / 60
    total, survivors = summarise(session)
    killed = total - len(survivors)
    print(f"\n== {target}: {killed}/{total} mutants killed ({100 * killed / max(total, 1):.1f}%) in {minutes:.1f} min", flush=True)
    for item, result in survivors:
        mutation = item.mutations[0]
        print(f"-- survived: {mutation.operator_name} #{mutation.occurrence} at line {mutation.start_pos[0]} "
              f"(job {item.job_id})")
        print("\n".join(line for line in result.diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")))
    print(f"(session kept in {session}; `cr-report --show-diff {session}` shows every mutant)")
    return killed, total


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="module paths, optionally path:function,function (default: TARGETS)")
    parser.add_argument("--tests", help="the tests to run against each mutant (default: the module's entry in TARGETS)")
    parser.add_argument("--timeout", type=float, help="seconds before a mutant's test run counts as killed "
                        "(default: five times the unmutated run, at least 30)")
    parser.add_argument("--retest", action="store_true", help="test only the survivors of the module's last run again")
    parser.add_argument("--resume", action="store_true", help="carry on with the mutants an interrupted run left")
    parser.add_argument("--all-operators", action="store_true", help="bitwise, shift and power replacements too")
    parser.add_argument("--workdir", type=Path, default=ROOT / ".mutation", help="where the project copy goes")
    arguments = parser.parse_args()
    if arguments.all_operators:
        EXCLUDED_OPERATORS.clear()
    known = {**TARGETS, **LATER}
    arguments.workdir = arguments.workdir.resolve()
    copy = arguments.workdir / "project"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(ROOT, copy, ignore=IGNORED)
    # Byte-code for the copy, once: Cosmic Ray runs the tests with PYTHONDONTWRITEBYTECODE, so otherwise every run
    # compiles the whole project again. A mutated module's source is newer than its byte-code, so it is recompiled.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(copy)], check=False)
    database = prepare_database(copy, arguments.workdir)
    results = []
    for target in arguments.modules or list(TARGETS):
        tests = arguments.tests or known.get(target) or known.get(target.partition(":")[0]) or "tests"
        results.append((target, *run(
            target, tests, copy=copy, workdir=arguments.workdir, timeout=arguments.timeout, retest=arguments.retest,
            resume=arguments.resume, database=database,
        )))
    if database:
        for path in database:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    print("\nmodule | killed | mutants | score")
    for target, killed, total in results:
        print(f"{target} | {killed} | {total} | {100 * killed / max(total, 1):.1f}%")


if __name__ == "__main__":
    main()
