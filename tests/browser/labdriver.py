"""A throw-away JupyterLab server and the page actions the browser tests need.

The server is the one ``make lab`` starts (``python -m jupyter lab`` on ``notebooks/``), but on
127.0.0.1, a free port, a random token, fresh settings/runtime/workspace folders, no news or
update checks, quick mode on.  :meth:`JupyterLabServer.stop` always ends it and its kernels:
first the server's shutdown API, then the recorded PIDs.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:                     # the test module skips (or fails in CI) with a reason
    PlaywrightError = RuntimeError

ROOT = Path(__file__).resolve().parents[2]          # the repository
NOTEBOOK_DIR = ROOT / "notebooks"
SCREENSHOTS = ROOT / "screenshots"                  # git-ignored
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]   # containers often have a 64 MB /dev/shm

# User settings written into the throw-away settings folder: no news feed, no update check,
# no toasts that could cover the notebook in a screenshot, and never save a notebook (autosave
# would write the outputs of Run All into the committed notebooks).
USER_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLabServer:
    """``python -m jupyter lab`` on ``root_dir`` in a sandbox under ``tmp``."""

    def __init__(self, root_dir: Path, tmp: Path, env: dict | None = None):
        self.root_dir, self.tmp = Path(root_dir), Path(tmp)
        self.port, self.token = free_port(), secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.tmp / "jupyterlab.log"
        self.extra_env = env or {}
        self.proc: subprocess.Popen | None = None
        self._log = None

    def _env(self) -> dict:
        env = dict(os.environ)
        # tests/conftest.py sets MPLBACKEND=Agg for the test process; the kernels must get
        # ipykernel's inline default, as in ``make lab``, or plots never reach the page.
        env.pop("MPLBACKEND", None)
        dirs = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_RUNTIME_DIR": "runtime",
                "JUPYTERLAB_SETTINGS_DIR": "settings", "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
                "JUPYTER_DATA_DIR": "data", "IPYTHONDIR": "ipython"}
        for var, name in dirs.items():
            (self.tmp / name).mkdir(parents=True, exist_ok=True)
            env[var] = str(self.tmp / name)
        for plugin, values in USER_SETTINGS.items():
            path = self.tmp / "settings" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env["LT_CAUSAL_QUICK"] = "1"
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 120) -> "JupyterLabServer":
        cmd = [sys.executable, "-m", "jupyter", "lab", str(self.root_dir),
               "--ip=127.0.0.1", f"--port={self.port}", "--port-retries=0", "--no-browser",
               "--allow-root", f"--IdentityProvider.token={self.token}",
               "--ServerApp.password=", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly",
               # JupyterLab makes a checkpoint when it opens a file: not in notebooks/
               f"--FileCheckpoints.checkpoint_dir={self.tmp / 'checkpoints'}"]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root_dir, env=self._env(), stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status", timeout=2)
                return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer /api/status within {timeout:.0f} s:\n{self.log_tail()}")

    def api(self, method: str, path: str, timeout: float = 10):
        """Call the REST API with the token; returns the decoded JSON (or None)."""
        req = urllib.request.Request(self.url + path, method=method,
                                     headers={"Authorization": f"token {self.token}"},
                                     data=b"" if method in ("POST", "PUT") else None)
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def interrupt_kernels(self) -> None:
        """Interrupt every running kernel (after a Run All that timed out)."""
        try:
            for kernel in self.api("GET", "/api/kernels") or []:
                self.api("POST", f"/api/kernels/{kernel['id']}/interrupt")
        except (OSError, urllib.error.URLError, ValueError):
            pass

    def lab_url(self, path: str = "") -> str:
        """A /lab URL that opens ``path`` with a reset workspace and logs in by token."""
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, timeout: float = 20) -> None:
        """Shut down kernels and server: the shutdown API first, then by PID."""
        if self.proc is None:
            return
        try:
            family = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            family = []
        if self.proc.poll() is None:
            try:    # shuts down every kernel (all at once), then the server
                self.api("POST", "/api/shutdown", timeout=5)
            except (OSError, urllib.error.URLError, ValueError):
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
        for child in family:   # kernels run in their own sessions: end them by PID
            try:
                child.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(family, timeout=5)
        self.proc = None
        if self._log:
            self._log.close()


# ---------------------------------------------------------------- page actions (Playwright)
# JupyterLab 4 renders off-screen cells with `content-visibility: auto`, where innerText is
# empty: every DOM read below uses textContent.

STATE_JS = """() => {
  const bar = document.querySelector('#jp-main-statusbar');
  let status = '';
  if (bar) for (const el of bar.querySelectorAll('.jp-StatusBar-TextItem'))
    if (/\\|/.test(el.textContent)) { status = el.textContent.trim(); break; }
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const prompts = panel ? [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                          .map(e => e.textContent.trim()) : [];
  const dialog = document.querySelector('.jp-Dialog');
  return {status, prompts, dialog: dialog ? dialog.textContent.trim().slice(0, 300) : null};
}"""

ERROR_JS = """() => {
  const out = [];
  const text = el => el.textContent.trim().slice(0, 600);
  for (const el of document.querySelectorAll('.jp-OutputArea-output')) {
    const t = el.textContent;
    const stderr = el.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr';
    if (/Traceback \\(most recent call last\\)/.test(t)
        || (stderr && /Traceback|\\w+(Error|Exception)\\b/.test(t))
        || /Error displaying widget|Failed to (display|load) (Jupyter )?(widget|model)/i.test(t))
      out.push((stderr ? 'stderr: ' : 'output: ') + text(el));
  }
  return out;
}"""


class KernelMessages:
    """What the page's kernel websocket carries: execute requests sent, and the kernel's status
    messages with the type of the request they answer. ``running`` is the number of execute
    requests not yet answered by their ``idle`` — a cell the kernel is still executing."""

    _TYPE = re.compile(rb'"msg_type":\s*"(\w+)"')
    _STATE = re.compile(rb'"execution_state":\s*"(\w+)"')

    def __init__(self, page):
        self.sent = self.answered = 0
        page.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        ws.on("framesent", self._sent)
        ws.on("framereceived", self._received)

    @staticmethod
    def _bytes(payload) -> bytes:
        return payload if isinstance(payload, (bytes, bytearray)) else str(payload).encode()

    def _sent(self, payload) -> None:
        types = self._TYPE.findall(self._bytes(payload))
        self.sent += types[:1] == [b"execute_request"]

    def _received(self, payload) -> None:
        data = self._bytes(payload)
        state = self._STATE.search(data)
        if state and state.group(1) == b"idle" and self._TYPE.findall(data)[-1:] == [b"execute_request"]:
            self.answered += 1

    @property
    def running(self) -> int:
        return self.sent - self.answered


def page_state(page) -> dict:
    """Status bar kernel text ("Python 3 (ipykernel) | Idle"), code-cell prompts, open dialog."""
    return page.evaluate(STATE_JS)


def kernel_status_text(page) -> str:
    return page_state(page)["status"]


def wait_kernel_idle(page, timeout_ms: int, require_no_busy_prompt: bool = True,
                     settle_s: float = 1.5, stall_ms: int | None = None, messages: KernelMessages | None = None,
                     samples: list | None = None) -> None:
    """Wait until the status bar says the kernel is Idle (before, it says "No Kernel",
    "Starting", "Busy"...) and no cell prompt shows ``[*]``, steadily for ``settle_s`` seconds.
    The notebook toolbar's indicator is not enough: it shows idle before a kernel exists.

    ``timeout_ms`` bounds the whole wait; with ``stall_ms``, it also fails early when no cell
    has finished (no prompt changed) for that long — a slow but progressing notebook on a
    loaded machine is waited for, a stuck one is not (see tests/browser/timing.py)."""
    start = time.monotonic()
    deadline = start + timeout_ms / 1000
    idle_since, state = None, {}
    last_prompts, progress_at = None, start
    while time.monotonic() < deadline:
        state = page_state(page)
        if samples is not None and messages is not None:   # (seconds, status bar, cells executing)
            samples.append((time.monotonic() - start, state["status"], messages.running))
        if state["dialog"]:
            raise RuntimeError(f"JupyterLab shows a dialog: {state['dialog']!r}")
        now = time.monotonic()
        if state["prompts"] != last_prompts:
            last_prompts, progress_at = state["prompts"], now
        elif stall_ms is not None and now - progress_at > stall_ms / 1000:
            busy = sum(p.startswith("[*]") for p in state["prompts"])
            raise TimeoutError(f"no cell finished for {stall_ms / 1000:.0f} s (status bar: "
                               f"{state.get('status')!r}, cells showing [*]: {busy}, "
                               f"{now - start:.0f} s since the start)")
        busy = sum(p.startswith("[*]") for p in state["prompts"]) if require_no_busy_prompt else 0
        running = messages.running if messages is not None else 0
        if state["status"].endswith("| Idle") and busy == 0 and running <= 0:
            idle_since = idle_since or now
            if now - idle_since >= settle_s:
                return
        else:
            idle_since = None
        page.wait_for_timeout(250)
    busy = sum(p.startswith("[*]") for p in state.get("prompts", []))
    raise TimeoutError(f"kernel not idle after {timeout_ms / 1000:.0f} s (status bar: "
                       f"{state.get('status')!r}, cells showing [*]: {busy})")


def open_notebook(page, server: JupyterLabServer, name: str, timeout_ms: int = 90_000) -> None:
    """Open ``name`` in a reset workspace, close the file browser, wait for an idle kernel."""
    page.goto(server.lab_url(name), wait_until="domcontentloaded", timeout=timeout_ms)
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=timeout_ms)
    sidebar = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if sidebar.count():
        sidebar.first.click()            # more room for the notebook in screenshots
    wait_kernel_idle(page, timeout_ms, require_no_busy_prompt=False)


def run_all(page, timeout_ms: int, stall_ms: int | None = None, messages: KernelMessages | None = None,
            samples: list | None = None) -> None:
    """Run → Run All Cells from the menu bar, then wait for the kernel to finish (at most
    ``timeout_ms``; with ``stall_ms``, at most that long without a cell finishing); with
    ``messages`` and ``samples``, what the status bar said while cells executed is appended."""
    page.locator(".jp-NotebookPanel .jp-Cell").first.click()   # give the notebook focus
    page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-content .lm-Menu-item:visible", has_text="Run All Cells").first.click()
    page.wait_for_timeout(1000)    # JupyterLab marks every queued cell [*] on the click
    wait_kernel_idle(page, timeout_ms, stall_ms=stall_ms, messages=messages, samples=samples)


def unexecuted_cells(page) -> list[int]:
    """Indices (among code cells) of non-empty code cells without an execution count. Cells
    whose input is hidden (the hidden ``assert`` cells) show no prompt and are not checked:
    they fail loudly through their error output instead."""
    return page.evaluate("""() => {
      const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
      return [...panel.querySelectorAll('.jp-CodeCell')].map((cell, i) => {
        const prompt = cell.querySelector('.jp-InputArea .jp-InputPrompt');
        const source = cell.querySelector('.jp-InputArea .cm-content');
        return prompt && source && source.textContent.trim()
               && !/^\\[\\d+\\]/.test(prompt.textContent.trim()) ? i : -1;
      }).filter(i => i >= 0);
    }""")


def error_outputs(page) -> list[str]:
    """Output areas showing a traceback, an error on stderr or a widget that failed to render."""
    return page.evaluate(ERROR_JS)


def full_screenshot(page, path: Path, max_height: int = 16_000) -> Path:
    """PNG of the whole notebook: scroll it to the top, grow the viewport to the notebook's
    height (up to ``max_height`` px), shoot, restore viewport and scroll position. Off-screen
    cells count as 100 px until rendered, so the height is measured again until it settles."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    scroller = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"
    measure = """(sel) => {
      const el = document.querySelector(sel);
      if (!el) return document.body.scrollHeight;
      el.scrollTop = 0;
      const cells = el.querySelectorAll('.jp-Cell');   // not scrollHeight: it includes the
      const last = cells[cells.length - 1];             // scroll-past-end padding (≈ viewport)
      const bottom = last ? last.getBoundingClientRect().bottom - el.getBoundingClientRect().top + 40
                          : el.scrollHeight;
      return bottom + (window.innerHeight - el.clientHeight);
    }"""
    top = page.evaluate("(sel) => document.querySelector(sel)?.scrollTop ?? 0", scroller)
    try:
        height = size["height"]
        for _ in range(6):
            wanted = int(min(max(page.evaluate(measure, scroller), size["height"]), max_height))
            if wanted == height:
                break
            height = wanted
            page.set_viewport_size({"width": size["width"], "height": height})
            page.wait_for_timeout(700)     # relayout; plotly figures re-render on resize
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
        page.evaluate("([sel, top]) => { const el = document.querySelector(sel); if (el) el.scrollTop = top; }",
                      [scroller, top])
        page.wait_for_timeout(300)
    return path
