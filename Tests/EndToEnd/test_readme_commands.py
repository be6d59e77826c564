"""The README's run command starts the server on the embedded default."""
import re
import subprocess

from conftest import REPO


def readme_command(title: str) -> str:
    readme = (REPO / "README.md").read_text()
    match = re.search(r"<!-- " + title + r" -->\s*```(?:sh|bash)?\n(.+?)\n```", readme, re.S)
    assert match, f"README has no {title} command block"
    return match.group(1).strip()


def test_readme_names_the_scripts_ci_uses():
    assert readme_command("test-command") == "scripts/test.sh"
    assert (REPO / ".ci/run").read_text().strip().endswith("exec scripts/test.sh")


def test_run_command_starts_on_the_embedded_default():
    command = readme_command("run-command")
    result = subprocess.run(command, shell=True, cwd=REPO, capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "starting with conf/objectmail.conf" in output
    assert "obox_fs: fscache:512M:var/cache/mails:posix:var/objects" in output
