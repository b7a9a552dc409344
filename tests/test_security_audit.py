"""Dependency audit: pip-audit over the installed environment fails on known vulnerabilities with a fix.

pip-audit asks a vulnerability service about every installed distribution:
PyPI's JSON API (per release) or OSV. The test first checks that one of them
answers for a release known to be vulnerable; only when neither can be reached
from this machine is it skipped, and the reason says which addresses failed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

pytestmark = [pytest.mark.audit, pytest.mark.slow]

# Flask 0.12 has published advisories (e.g. PYSEC-2018-66): a service that knows it is usable.
KNOWN_VULNERABLE = ("flask", "0.12")
SERVICES = {
    "pypi": lambda name, version: requests.get(f"https://pypi.org/pypi/{name}/{version}/json", timeout=15),
    "osv": lambda name, version: requests.post(
        "https://api.osv.dev/v1/query",
        json={"package": {"name": name, "ecosystem": "PyPI"}, "version": version},
        timeout=15,
    ),
}


def usable_service() -> tuple[str | None, list[str]]:
    """The first service that reports the known vulnerable release, and what went wrong with the others."""
    problems = []
    for service, ask in SERVICES.items():
        try:
            answer = ask(*KNOWN_VULNERABLE)
        except requests.RequestException as error:
            problems.append(f"{service}: {type(error).__name__}")
            continue
        if answer.status_code != 200:
            problems.append(f"{service}: HTTP {answer.status_code} for {'=='.join(KNOWN_VULNERABLE)}")
            continue
        found = answer.json().get("vulnerabilities" if service == "pypi" else "vulns") or []
        if not found:
            problems.append(f"{service}: answered but reports no advisory for {'=='.join(KNOWN_VULNERABLE)}")
            continue
        return service, problems
    return None, problems


def test_no_installed_dependency_has_a_known_vulnerability_with_a_fix():
    service, problems = usable_service()
    if service is None:
        pytest.skip("no vulnerability service reachable from this machine (network): " + "; ".join(problems))
    run = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--local", "--skip-editable", "--format", "json",
         "--progress-spinner", "off", "--vulnerability-service", service, "--timeout", "30"],
        capture_output=True, text=True, timeout=600,
    )
    report = json.loads(run.stdout or "{}")
    dependencies = report.get("dependencies", [])
    assert len(dependencies) > 20, run.stderr
    unaudited = [d["name"] for d in dependencies if d.get("skip_reason")]
    assert len(unaudited) <= 2, f"pip-audit could not audit {unaudited}: {run.stderr[-2000:]}"
    fixable = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v['fix_versions'])})"
        for d in dependencies
        for v in d.get("vulns", [])
        if v.get("fix_versions")
    ]
    assert not fixable, "upgrade these dependencies:\n" + "\n".join(fixable)
