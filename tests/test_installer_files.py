"""What this machine can check of the installers it cannot build: the CI workflow names only
steps that exist and run here too, the Inno Setup script installs per user and keeps data
on upgrade, the macOS bundle's Info.plist, the icons, and the spec's trimming rules."""

from __future__ import annotations

import plistlib
import re
import shlex
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))
import bundle_settings  # noqa: E402
import ci_steps  # noqa: E402
import trim  # noqa: E402

WORKFLOW = ROOT / ".github" / "workflows" / "installers.yml"
INNO = ROOT / "packaging" / "windows" / "leaddesk.iss"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def workflow_steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_workflow_shape(workflow):
    # YAML 1.1 reads a bare `on` as True.
    triggers = workflow.get("on", workflow.get(True))
    assert {"push", "pull_request", "workflow_dispatch"} <= set(triggers)
    assert workflow["name"] and workflow["jobs"]
    for name, job in workflow["jobs"].items():
        assert set(job) <= {"name", "strategy", "runs-on", "timeout-minutes", "env", "steps"}, name
        systems = job["strategy"]["matrix"]["os"]
        assert {system.split("-")[0] for system in systems} == {"windows", "macos", "ubuntu"}
        assert job["runs-on"] == "${{ matrix.os }}"
        for step in job["steps"]:
            assert isinstance(step, dict) and set(step) <= {"name", "uses", "with", "run", "env"}
            assert ("uses" in step) != ("run" in step), step


def test_workflow_actions_are_pinned_to_a_major_version(workflow):
    uses = [step["uses"] for step in workflow_steps(workflow) if "uses" in step]
    assert uses, "checkout, setup-python and upload-artifact are expected"
    for action in uses:
        assert re.fullmatch(r"actions/[a-z-]+@v\d+", action), action


def test_every_run_step_is_a_script_here_with_a_step_it_knows(workflow):
    runs = [step["run"] for step in workflow_steps(workflow) if "run" in step]
    assert len(runs) >= 3
    for line in runs:
        words = shlex.split(line)
        assert "\n" not in line.strip() and words[0] == "python", line
        script = ROOT / words[1]
        assert script.is_file(), f"{words[1]} does not exist"
        if script.name == "ci_steps.py":
            assert words[2:] and words[2] in ci_steps.STEPS, line
        else:
            assert script.name == "build.py" and words[2:] == [], line
    assert "python packaging/build.py" in runs
    assert "python packaging/ci_steps.py smoke" in runs


def test_the_ci_here_runs_the_same_scripts(workflow):
    ci_run = (ROOT / ".ci" / "run").read_text()
    for step in workflow_steps(workflow):
        if "run" in step and step["run"] != "python packaging/ci_steps.py system-packages":
            assert step["run"] in ci_run, f"{step['run']} is not run by .ci/run"
    assert "python3 packaging/ci_steps.py system-packages" in ci_run


def test_the_uploaded_artifact_is_where_build_py_puts_installers(workflow):
    upload = next(
        s for s in workflow_steps(workflow) if s.get("uses", "").startswith("actions/upload")
    )
    relative = bundle_settings.INSTALLERS.relative_to(ROOT).as_posix()
    assert upload["with"]["path"] == f"{relative}/*"
    assert upload["with"]["if-no-files-found"] == "error"


def test_ci_steps_refuses_an_unknown_step():
    with pytest.raises(SystemExit) as exited:
        ci_steps.main(["deploy"])
    assert "usage: python packaging/ci_steps.py" in str(exited.value.code)


# -- Windows: the Inno Setup script ---------------------------------------------------------


def inno_sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in INNO.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections[current] = []
        elif current:
            sections[current].append(line)
    return sections


def test_inno_setup_installs_per_user_with_start_menu_and_uninstaller():
    sections = inno_sections()
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"].startswith("{autopf}\\")
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["AppVersion"] == "{#AppVersion}"
    assert setup["OutputBaseFilename"] == "{#OutputName}"
    exe = f"{{app}}\\{bundle_settings.APP_NAME}.exe"
    assert setup["UninstallDisplayIcon"] == exe
    assert any(line.startswith('Name: "{autoprograms}\\LeadDesk"') for line in sections["Icons"])
    assert all(f'Filename: "{exe}"' in line for line in sections["Icons"])
    assert sections["Files"] == [
        'Source: "{#BuildDir}\\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs '
        "createallsubdirs"
    ]


def test_inno_setup_upgrade_and_uninstall_never_touch_the_users_data():
    sections = inno_sections()
    deleted = sections.get("InstallDelete", []) + sections.get("UninstallDelete", [])
    assert deleted == ['Type: filesandordirs; Name: "{app}\\_internal"']
    text = INNO.read_text()
    for user_place in ("{localappdata}", "{userappdata}", "{commonappdata}", "HKCU"):
        assert user_place not in "".join(deleted) + "".join(sections.get("Registry", []))
    assert "%LOCALAPPDATA%\\LeadDesk\\LeadDesk" in text  # where the data is, said once


def test_build_py_passes_exactly_the_defines_the_inno_script_reads():
    defined = set(re.findall(r"^#ifndef (\w+)", INNO.read_text(), flags=re.M))
    passed = set(re.findall(r'f"/D(\w+)=', (ROOT / "packaging" / "installers.py").read_text()))
    assert defined == passed == {"AppVersion", "BuildDir", "IconFile", "OutputDir", "OutputName"}


# -- macOS: the bundle ---------------------------------------------------------------------


def test_macos_info_plist():
    keys = bundle_settings.info_plist(VERSION)
    assert keys["CFBundleIdentifier"] == bundle_settings.BUNDLE_ID == "com.leaddesk.LeadDesk"
    assert keys["CFBundleShortVersionString"] == keys["CFBundleVersion"] == VERSION
    assert keys["NSHighResolutionCapable"] is True
    assert keys["CFBundleDisplayName"] == "LeadDesk"
    assert plistlib.loads(plistlib.dumps(keys)) == keys


def test_entitlements_are_a_valid_plist():
    entitlements = plistlib.loads(
        (ROOT / "packaging" / "macos" / "entitlements.plist").read_bytes()
    )
    assert entitlements["com.apple.security.cs.disable-library-validation"] is True


def test_icons_are_made_from_resources(tmp_path, qapp):
    # qapp first: the icon maker would otherwise start a QGuiApplication for the session.
    image = pytest.importorskip("PIL.Image", reason="Pillow comes with the build extra")
    import icons

    made = icons.make_icons(tmp_path)
    with image.open(made["ico"]) as ico:
        assert {(16, 16), (32, 32), (256, 256)} <= set(ico.info["sizes"])
    with image.open(made["icns"]) as icns:
        assert (512, 512, 2) in icns.info["sizes"]  # the 1024 px Retina icon
        icns.size = (512, 512)  # type: ignore[misc]
        icns.scale = 2  # type: ignore[attr-defined]
        icns.load()
        assert icns.getpixel((512, 512))[3] == 255  # the icon is drawn, not transparent


# -- the spec's trimming ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/qwindows.dll", True),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/Qt/plugins/platforms/libqminimalegl.so", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/qico.dll", True),
        ("PySide6/Qt/plugins/imageformats/libqwebp.so", False),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
        ("PySide6/Qt/plugins/styles/qmodernwindowsstyle.dll", True),
        ("PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-kms-integration.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so", True),
        ("PySide6/Qt/plugins/wayland-shell-integration/libivi-shell.so", False),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
    ],
)
def test_trim_keeps_what_the_window_uses(dest, kept):
    assert trim._plugin_wanted(dest) is kept


def test_trim_drops_qt_translations_only():
    datas = [
        ("PySide6/Qt/translations/qtbase_de.qm", "/x/qtbase_de.qm", "DATA"),
        ("leaddesk/store/migrations/env.py", "/x/env.py", "DATA"),
    ]
    assert trim.drop_unused([], datas)[1] == [datas[1]]
