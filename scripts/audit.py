"""`make audit`: bandit over the code, pip-audit over the installed dependencies.

pip-audit looks every installed distribution up in a vulnerability service (PyPI's JSON
API by default). Where that service cannot be reached (a machine that sees only a
package index mirror), pip-audit reports every dependency as "skipped" and, on its own,
says "No known vulnerabilities found": a false all-clear. This script tells the two
apart: it fails on any known vulnerability, and says plainly when nothing could be
checked (failing then too when ACADEMY_AUDIT_STRICT=1).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def run_bandit() -> int:
    print("== bandit (academy/)")
    return subprocess.call([str(BIN / "bandit"), "-q", "-c", "pyproject.toml", "-r", "academy"])


def run_pip_audit() -> int:
    print("== pip-audit (installed dependencies)")
    proc = subprocess.run([str(BIN / "pip-audit"), "--skip-editable", "--progress-spinner", "off", "-f", "json"],
                          capture_output=True, text=True)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        print(proc.stdout + proc.stderr)
        return proc.returncode or 1
    deps = report["dependencies"]
    vulnerable = [d for d in deps if d.get("vulns")]
    audited = [d for d in deps if "skip_reason" not in d]
    unreachable = [d for d in deps if "not found on PyPI" in d.get("skip_reason", "")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    if vulnerable:
        return 1
    if not audited and unreachable:
        print(f"WARNING: the vulnerability service could not be reached from this machine: none of the "
              f"{len(unreachable)} dependencies could be checked (pip-audit needs PyPI's JSON API).")
        return 1 if os.environ.get("ACADEMY_AUDIT_STRICT") == "1" else 0
    print(f"pip-audit: {len(audited)} dependencies checked, no known vulnerabilities"
          + (f"; {len(unreachable)} unknown to PyPI: " + ", ".join(d["name"] for d in unreachable)
             if unreachable else ""))
    return 0


if __name__ == "__main__":
    sys.exit(max(run_bandit(), run_pip_audit()))
