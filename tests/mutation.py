"""Mutation testing with Cosmic Ray, one module at a time, in a copy of the project (`make mutation`).

    python tests/mutation.py                                   # every module in TARGETS
    python tests/mutation.py cabinet/references.py             # one module, with its tests from TARGETS
    python tests/mutation.py decisions/views.py:_group,dashboard   # only those functions' lines
    python tests/mutation.py decisions/access.py --tests "tests/test_access.py tests/test_views.py"
    python tests/mutation.py --retest cabinet/references.py    # only last run's survivors, against today's tests

    python tests/mutation.py --resume cabinet/business_days.py # carry on after an interruption

Each mutant is one small change (`<` to `<=`, `and` to `or`, a number plus one, a `break` to `continue`...); the
module's tests run against it and should fail ("killed"). The copy keeps the working tree untouched, so an interrupted
run never leaves a mutant behind. Cosmic Ray lists the mutants and keeps the results; on SQLite each mutant is tested in
a fork of one warmed-up process (ForkRunner, below), one at a time; `--subprocesses` uses Cosmic Ray's own exec.
"""

import argparse
import os
import signal
import tempfile
import traceback
import types
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
    "cabinet/history.py": "tests/test_history.py tests/test_audit.py",  # acting_as; the append-only operation (PostgreSQL for most)
    # The importer: its own tests (the mutants file first: it fails fastest), then the packs, Report of Committee and
    # discharge tests that save through it (test_cycle.py's and test_packs_robustness.py's other tests never reach
    # importing.py; the 500-page pack only plans, for seconds a run).
    "decisions/importing.py": "tests/test_importing_mutants.py tests/test_importing.py tests/test_packs.py tests/test_packs_admin.py "
                              "tests/test_cycle.py::test_a_committee_minute_cabinet_amended_has_its_follow_ups_superseded_by_the_amending_decision "
                              "tests/test_cycle.py::test_a_citing_minute_proposes_discharge_and_a_clerk_accepts_it "
                              "tests/test_cycle.py::test_a_rejected_proposal_needs_a_reason_and_leaves_the_report_back_open "
                              "tests/test_cycle.py::test_a_citation_from_another_portfolio_proposes_nothing "
                              "tests/test_cycle.py::test_a_paper_saved_in_the_admin_whose_recommendations_cite_a_minute_proposes_its_discharge "
                              "tests/test_cycle.py::test_a_pack_whose_paper_cites_an_earlier_minute_keeps_its_recommendations_and_proposes_discharge "
                              "tests/test_packs_robustness.py::test_a_folder_imports_each_pack_in_its_own_transaction_and_ends_with_a_table "
                              "tests/test_packs_robustness.py::test_a_zip_of_packs_is_read_member_by_member "
                              "tests/test_packs_robustness.py::test_a_zip_bomb_is_refused_without_unpacking_it_into_memory "
                              "tests/test_releases_pack.py::test_the_seeds_pack_states_what_its_coversheet_states",
    "decisions/reminders/schedule.py": "tests/test_reminder_schedule.py",
    "decisions/views.py:_group,dashboard": "tests/test_dashboard.py",
    "cabinet/business_days.py": "tests/test_business_days.py",
    # Need to know: the query and rule tests; the page-by-page matrices (a minute of pages a run) are left out.
    "decisions/access.py": "tests/test_access_mutants.py tests/test_access.py "
                           "-k 'not every_follow_up_url and not demos and not minute_and_paper_pages and not two_sizes'",
    # The follow-up lifecycle: the table and its checks, and the steps FollowUp.take() runs.
    "decisions/lifecycle.py": "tests/test_lifecycle_rules.py tests/test_extensions.py",
    "decisions/models.py:" + ",".join([
        "one_month_after", "FollowUp.waiting_request", "FollowUp.available_steps", "FollowUp.take", "FollowUp._step_*",
        "FollowUp._close", "FollowUp._change_due_date", "FollowUp._return_to_open", "FollowUp._apply",
        "DueDateChange.close",
    ]): "tests/test_extensions.py tests/test_lifecycle_rules.py tests/test_lifecycle_steps.py",
    # Sending the reminder digests: the follow-up reminders, the release reminders in the same digests, and the
    # command's exit and report. The concurrency test runs only on PostgreSQL (skipped at once on SQLite).
    "decisions/reminders/sending.py": "tests/test_sending_mutants.py tests/test_reminders.py "
                                      "tests/test_releases_reminders.py tests/test_reminders_monitoring.py "
                                      "tests/test_reminders_concurrency.py",
    # The dry run and the reconciliation: their own tests, then the reminder and monitoring tests that use them.
    "decisions/reminders/checks.py": "tests/test_reminder_checks.py tests/test_reminders.py tests/test_reminders_monitoring.py",
}
# Being rewritten by other branches at the time of the first run; point `make mutation MODULES=...` at them after merging.
LATER = {}
# Cosmic Ray replaces each arithmetic operator by every other one. The replacements by a bitwise operator, a shift or
# a power are left out (`--all-operators` puts them back): no one writes `day << 3` for `day + 3`, on dates they all
# fail at once like `-` does, and they were a third of the mutants and of the time. `+`/`-`, `*`, `/`, `//`, `%` for
# one another, every comparison, `and`/`or`, `not`, numbers, booleans, decorators, loops and `break` stay.
EXCLUDED_OPERATORS = [r"core/ReplaceBinaryOperator_[A-Za-z]+_(BitAnd|BitOr|BitXor|LShift|RShift|Pow)$"]
# ".mutation*": a run's own workdir (".mutation", or any other given inside the project) is never copied into itself.
IGNORED = shutil.ignore_patterns(".git", ".venv", "node_modules", "__pycache__", "*.sqlite3", ".mutation*")


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


def run(target, tests, *, copy, workdir, timeout, retest=False, resume=False, database=None, subprocesses=False):
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
        if database is None or subprocesses:
            step("cosmic-ray", "--verbosity", "ERROR", "baseline", str(config))
        if timeout is None and (database is None or subprocesses):
            # A mutant that makes the tests loop (or build a table of every date since year 1) is killed by the
            # timeout: five times the unmutated run, at least 30 seconds, leaves room for the machine's load.
            timeout = max(30.0, 5 * (time.monotonic() - baseline))
            config, session, filtered = write_config(copy, workdir, target, tests, timeout, database)
            print(f"{target}: baseline {time.monotonic() - baseline:.0f} s, timeout {timeout:.0f} s", flush=True)
        if filtered:
            step("cr-filter-lines", "--config", str(config), str(session))
        if EXCLUDED_OPERATORS:
            step("cr-filter-operators", str(session), str(config))
    if database and not subprocesses:
        # The forked runner (above): its own baseline and timeout unless --timeout is given.
        subprocess.run([
            sys.executable, str(copy / "tests" / "mutation.py"), "--fork-exec", str(config), str(session), tests,
            str(database[0]), str(database[1]), str(timeout or ""),
        ], cwd=copy, check=True)
    else:
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


# The forked runner (the default on SQLite): one process imports Django, the project and the test libraries once;
# each mutant is a fork of it in which the mutated functions' code objects replace the originals (so every reference,
# `from x import f` included, sees the mutant), a fresh copy of the template database, and pytest.main(). A mutant
# that changes more than function bodies (a module constant, a class attribute, a decorator, a default value) is
# tested the Cosmic Ray way instead: the file written, and the test command in a new process.

def _code_objects(code, found=None):
    """Every code object inside `code`, by qualified name."""
    found = {} if found is None else found
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found.setdefault(const.co_qualname, const)
            _code_objects(const, found)
    return found


def _skeleton(code, swappable):
    """`code` without line numbers, with the code of swappable functions left out (compared apart)."""
    consts = tuple(
        ("function", const.co_qualname) if isinstance(const, types.CodeType) and const.co_qualname in swappable
        else _skeleton(const, swappable) if isinstance(const, types.CodeType) else const
        for const in code.co_consts
    )
    return (code.co_code, code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars, consts)


def _live_functions(module):
    """The module's functions and methods, by qualified name: the objects whose code a mutant replaces."""
    found = {}

    def visit(value, depth=0):
        if isinstance(value, staticmethod | classmethod):
            value = value.__func__
        elif isinstance(value, property):
            for accessor in (value.fget, value.fset, value.fdel):
                visit(accessor, depth)
            return
        elif hasattr(value, "func") and callable(value.func):  # functools / Django cached_property
            value = value.func
        while hasattr(value, "__wrapped__"):  # lru_cache and other wrappers
            value = value.__wrapped__
        if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
            found.setdefault(value.__code__.co_qualname, value)
        elif isinstance(value, type) and value.__module__ == module.__name__ and depth < 3:
            for member in vars(value).values():
                visit(member, depth + 1)

    for value in list(vars(module).values()):
        visit(value)
    return found


class ForkRunner:
    def __init__(self, copy, module_path, tests, database, timeout, fallback_command):
        import importlib

        self.copy, self.module_path, self.tests = copy, Path(module_path), shlex.split(tests)
        self.template, self.database = database
        self.timeout, self.fallback_command = timeout, fallback_command
        os.chdir(copy)
        sys.path.insert(0, str(copy))
        os.environ["DJANGO_SETTINGS_MODULE"] = "tests.mutation_settings"
        os.environ["MUTATION_TEST_DB"] = str(self.database)
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
        sys.dont_write_bytecode = True
        import django

        django.setup()
        import factory  # noqa: F401  the slow imports of every run, done once
        import hypothesis  # noqa: F401
        import pytest  # noqa: F401

        name = ".".join(self.module_path.relative_to(copy).with_suffix("").parts)
        self.module = importlib.import_module(name)
        self.source = self.module_path.read_text(encoding="utf-8")
        self.original = compile(self.source, str(self.module_path), "exec")

    def swaps(self, mutated_source):
        """[(function, mutated code)] for this mutant, or None when it changes more than function bodies."""
        try:
            mutated = compile(mutated_source, str(self.module_path), "exec")
        except SyntaxError:
            return None  # tested the slow way: the module does not even import
        live = _live_functions(self.module)
        before, after = _code_objects(self.original), _code_objects(mutated)
        swappable = {name for name in live if name in before and name in after}
        if _skeleton(self.original, swappable) != _skeleton(mutated, swappable):
            return None
        changed = [(live[name], after[name]) for name in sorted(swappable) if before[name] != after[name]]
        if any(len(function.__code__.co_freevars) != len(code.co_freevars) for function, code in changed):
            return None
        return changed

    def run(self, swaps):
        """(killed, output): the tests in a fork with `swaps` applied, killed after the timeout."""
        shutil.copyfile(self.template, self.database)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        output = tempfile.TemporaryFile()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            try:
                os.setsid()
                os.dup2(output.fileno(), 1)
                os.dup2(output.fileno(), 2)
                for function, code in swaps:
                    function.__code__ = code
                import pytest

                code = pytest.main(["-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "--reuse-db", "--ds=tests.mutation_settings", *self.tests])
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(int(code))
            except BaseException:  # noqa: B036  anything at all: the child reports failure and ends
                traceback.print_exc()
                sys.stderr.flush()
                os._exit(3)
        deadline = time.monotonic() + (self.timeout or 600)  # the baseline: ten minutes at most
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return True, "timeout"
            time.sleep(0.05)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")[-5000:]
        return os.waitstatus_to_exitcode(status) != 0, text

    def baseline(self):
        started = time.monotonic()
        killed, output = self.run([])
        if killed:
            raise SystemExit(f"The tests fail without any mutant:\n{output}")
        return time.monotonic() - started


def fork_exec(copy, config_path, session, tests, database, timeout):
    """Test every pending mutant of the session in forks of one warmed-up process; returns the unmutated run's time."""
    import difflib

    from cosmic_ray.config import load_config
    from cosmic_ray.mutating import mutate_code
    from cosmic_ray.plugins import get_operator
    from cosmic_ray.testing import run_tests
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

    config = load_config(str(config_path))
    runner = None
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in list(db.pending_work_items):
            mutation = item.mutations[0]
            if runner is None:
                runner = ForkRunner(copy, mutation.module_path, tests, database, timeout, config["test-command"])
                if timeout is None:
                    runner.timeout = max(30.0, 5 * runner.baseline())
                    print(f"{mutation.module_path.name}: timeout {runner.timeout:.0f} s", flush=True)
            operator = get_operator(mutation.operator_name)(**(getattr(mutation, "operator_args", None) or {}))
            mutated = mutate_code(runner.source, operator, mutation.occurrence)
            if mutated is None:
                db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.NO_TEST))
                continue
            swaps = runner.swaps(mutated)
            if swaps is None:
                # More than function bodies changed: the file, and a new process.
                Path(mutation.module_path).write_text(mutated, encoding="utf-8")
                try:
                    outcome, output = run_tests(runner.fallback_command, runner.timeout)
                finally:
                    Path(mutation.module_path).write_text(runner.source, encoding="utf-8")
                killed = outcome != TestOutcome.SURVIVED
            else:
                killed, output = runner.run(swaps)
            diff = "\n".join(["--- mutation diff ---", *difflib.unified_diff(
                runner.source.split("\n"), mutated.split("\n"), fromfile=f"a/{mutation.module_path}",
                tofile=f"b/{mutation.module_path}", lineterm="",
            )])
            db.set_result(item.job_id, WorkResult(
                worker_outcome=WorkerOutcome.NORMAL, output=output, diff=diff,
                test_outcome=TestOutcome.KILLED if killed else TestOutcome.SURVIVED,
            ))


def main():
    if sys.argv[1:2] == ["--fork-exec"]:  # run() calls this in the copy, one module per process
        config, session, tests, template, database, timeout = sys.argv[2:8]
        fork_exec(Path.cwd(), Path(config), Path(session), tests, (Path(template), Path(database)),
                  float(timeout) if timeout else None)
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="module paths, optionally path:function,function (default: TARGETS)")
    parser.add_argument("--tests", help="the tests to run against each mutant (default: the module's entry in TARGETS)")
    parser.add_argument("--timeout", type=float, help="seconds before a mutant's test run counts as killed "
                        "(default: five times the unmutated run, at least 30)")
    parser.add_argument("--retest", action="store_true", help="test only the survivors of the module's last run again")
    parser.add_argument("--resume", action="store_true", help="carry on with the mutants an interrupted run left")
    parser.add_argument("--all-operators", action="store_true", help="bitwise, shift and power replacements too")
    parser.add_argument("--subprocesses", action="store_true",
                        help="a new process per mutant (Cosmic Ray's own exec) instead of forks of one warmed-up process")
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
            resume=arguments.resume, database=database, subprocesses=arguments.subprocesses,
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
