"""The layers of ARCHITECTURE.md, checked on the source: views -> services -> models, with
`matching/` apart and nothing importing upwards. A new import that breaks a rule fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VIEW_PACKAGES = ("admin", "auth", "brands", "campaigns", "creators", "deals", "documents",
                 "library", "main", "matches", "messages", "notifications", "payments",
                 "reviews")
VIEWS = tuple(f"marketplace.{name}" for name in VIEW_PACKAGES)
WEB = ("marketplace.templating", "marketplace.forms", "marketplace.access", "marketplace.errors",
       "marketplace.security", "marketplace.devserver", "marketplace.cli", "marketplace.fragments",
       "marketplace.downloads", "marketplace.request_args")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, with `from x import y` also giving `x.y` (y may be a
    module) and `from flask import request` giving `flask.request`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _violations(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return [f"{path.name} imports {name}" if not path.is_relative_to(ROOT)
            else f"{path.relative_to(ROOT)} imports {name}"
            for path in files for name in sorted(_imports(path)) if _under(name, forbidden)]


def test_services_never_import_views_templates_or_the_request():
    forbidden = (*VIEWS, *WEB, "marketplace.demo", "flask.request", "flask_login.current_user")
    assert _violations(_modules("marketplace/services"), forbidden) == []


TASK_MODULES = tuple(f"marketplace.jobs.{name}"
                     for name in ("app", "mail", "payments", "periodic", "documents", "beat",
                                  "worker"))


def test_services_reach_the_job_queue_only_through_enqueue():
    assert _violations(_modules("marketplace/services"), TASK_MODULES) == []


def test_jobs_call_services_never_views_or_the_request():
    forbidden = (*VIEWS, *WEB, "marketplace.demo", "flask.request", "flask_login.current_user")
    assert _violations(_modules("marketplace/jobs"), forbidden) == []


def test_only_jobs_print_pdfs():
    """Printing takes seconds and no request prints: only the job modules import the printer
    (`marketplace/printing.py`, the one module that imports WeasyPrint); pages render a
    document's HTML and queue it."""
    importers = sorted(p.relative_to(ROOT).as_posix() for p in _modules("marketplace")
                       if _under_any(_imports(p), ("marketplace.printing", "weasyprint")))
    assert importers == ["marketplace/jobs/documents.py", "marketplace/jobs/mail.py",
                         "marketplace/printing.py"]


def test_models_never_import_services_or_views():
    forbidden = ("marketplace.services", "marketplace.demo", *VIEWS, *WEB, "flask.request")
    assert _violations(_modules("marketplace/models"), forbidden) == []


def test_matching_engine_knows_nothing_of_the_web_app():
    forbidden = ("marketplace", "flask", "flask_sqlalchemy", "sqlalchemy")
    assert _violations(_modules("matching"), forbidden) == []


def test_platform_adapters_know_nothing_of_flask_or_the_database():
    forbidden = ("flask", "flask_login", "flask_sqlalchemy", "sqlalchemy", "marketplace.models",
                 "marketplace.services", "marketplace.extensions", *VIEWS, *WEB)
    assert _violations(_modules("marketplace/platforms"), forbidden) == []


def test_only_services_call_the_platform_adapters():
    importers = sorted(p.relative_to(ROOT).as_posix() for p in _modules("marketplace")
                       if _under_any(_imports(p), ("marketplace.platforms",)))
    assert importers
    assert [p for p in importers if not p.startswith(("marketplace/services/",
                                                      "marketplace/platforms/"))] == []


def test_the_app_never_imports_devtools_and_only_the_seed_command_imports_demo():
    app_files = _modules("marketplace")
    assert _violations(app_files, ("devtools",)) == []
    outside_demo = [p for p in app_files
                    if "demo" not in p.relative_to(ROOT).parts
                    and p.relative_to(ROOT).as_posix() not in ("marketplace/cli.py",
                                                                "marketplace/devserver.py")]
    assert _violations(outside_demo, ("marketplace.demo",)) == []


def test_only_the_gateway_imports_stripe():
    importers = [p.relative_to(ROOT).as_posix() for p in _modules("marketplace")
                 if _under_any(_imports(p), ("stripe",))]
    assert importers == ["marketplace/services/payments/stripe_gateway.py"]


def _under_any(names: set[str], prefixes: tuple[str, ...]) -> bool:
    return any(_under(name, prefixes) for name in names)


@pytest.mark.parametrize("forbidden", ["marketplace.services", "marketplace.templating"])
def test_the_checker_sees_a_planted_violation(tmp_path, forbidden):
    planted = tmp_path / "planted.py"
    planted.write_text(f"from {forbidden} import something\n")
    assert _violations([planted], (forbidden,)) == [f"planted.py imports {forbidden}",
                                                     f"planted.py imports {forbidden}.something"]


def test_every_path_architecture_md_names_exists():
    text = (ROOT / "ARCHITECTURE.md").read_text()
    names = {token for token in re.findall(r"`([^`\s]+)`", text)
             if ("/" in token or token.endswith((".py", ".md"))) and "<" not in token}
    names = {n for n in names if not n.startswith("instance/")}  # made at run time, ignored
    every_file = {name for folder in ("marketplace", "matching", "devtools", "tests", "bench")
                  for name in (p.name for p in (ROOT / folder).rglob("*"))}
    missing = sorted(name for name in names
                     if not ((ROOT / name).exists() if "/" in name else name in every_file))
    assert len(names) > 30
    assert missing == []
