#!/usr/bin/env python3
"""docs/editors.md's Neovim recipe, run: headless Neovim drives fanout-clangd.

The Lua block between the neovim-recipe markers of docs/editors.md is the
init.lua (with the binary's path replaced), so the documentation is what is
tested, on whatever Neovim is on PATH (Debian bookworm: 0.7.2). On the
mission program with its queue class inlined, Neovim must get:
  - the fanout-stranded-producer warning on the blocking push;
  - each note as a diagnostic on its own line (the consumer's return, the
    spawn sites, the wait, the fix), which Neovim shows by default;
  - from :lua vim.lsp.buf.code_action() (its menu captured through
    vim.ui.select), the quick fixes titled by what they do, the main one
    first and the only one preferred;
and no error message.

Usage: neovim_test.py --clangd=<fanout-clangd> --nvim=<nvim>
                      --source-dir=<repo> --work-dir=<dir>
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

CHECK = "fanout-stranded-producer"

# Runs after init.lua: waits for the warning, then asks for quick fixes the
# way a user does and writes what Neovim has to FANOUT_NVIM_OUT.
DRIVER = r"""
local out = { diagnostics = {}, actions = {} }
local function code_of(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end
local function warning()
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if code_of(d) == '%CHECK%' then return d end
  end
end
out.found = vim.wait(90000, function() return warning() ~= nil end, 200)
-- The notes come in the same message as the warning: nothing to wait for.
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out.diagnostics, { lnum = d.lnum, severity = d.severity,
    message = d.message, code = code_of(d) or vim.NIL })
end
local warn = warning()
if warn then
  vim.api.nvim_win_set_cursor(0, { warn.lnum + 1, warn.col })
  local menu
  vim.ui.select = function(items, opts, on_choice)
    menu = {}
    for _, item in ipairs(items) do
      local action = item.action or item[2]
      table.insert(menu, { title = opts.format_item(item),
                           isPreferred = action.isPreferred or false })
    end
    on_choice(nil)
  end
  vim.lsp.buf.code_action({ only = { 'quickfix' } })
  vim.wait(30000, function() return menu ~= nil end, 100)
  out.actions = menu or {}
end
out.errmsg = vim.v.errmsg
out.version = vim.inspect(vim.version())
local f = io.open(os.getenv('FANOUT_NVIM_OUT'), 'w')
f:write(vim.fn.json_encode(out))
f:close()
vim.cmd('qa!')
""".replace("%CHECK%", CHECK)


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def recipe(source_dir):
    text = open(os.path.join(source_dir, "docs", "editors.md")).read()
    m = re.search(r"<!-- neovim-recipe:begin -->\s*```lua\n(.*?)```\s*"
                  r"<!-- neovim-recipe:end -->", text, re.S)
    if not m:
        fail("docs/editors.md has no Lua block between the neovim-recipe "
             "markers")
    return m.group(1)


def line_of(text, needle):
    """The last line holding needle (main() comes after the queue class)."""
    found = [i for i, line in enumerate(text.split("\n")) if needle in line]
    if not found:
        fail(f"{needle!r} not in the test program")
    return found[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clangd", required=True)
    parser.add_argument("--nvim", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    args = parser.parse_args()
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    ws = os.path.join(work, "project")
    os.makedirs(ws)

    init = recipe(args.source_dir)
    if "'/opt/fanout/bin/fanout-clangd'" not in init:
        fail("the recipe no longer names /opt/fanout/bin/fanout-clangd")
    init = init.replace("'/opt/fanout/bin/fanout-clangd'",
                        json.dumps(os.path.abspath(args.clangd)))
    open(os.path.join(work, "init.lua"), "w").write(init)
    open(os.path.join(work, "driver.lua"), "w").write(DRIVER)

    examples = os.path.join(args.source_dir, "examples")
    header = open(os.path.join(examples, "bounded_queue.h")).read()
    mission = open(os.path.join(examples, "mission.cpp")).read()
    # The queue class in the main file, so clangd reads its bodies.
    program = header.replace("#pragma once", "") + "\n" + mission.replace(
        '#include "bounded_queue.h"', "")
    open(os.path.join(ws, "mission.cpp"), "w").write(program)
    open(os.path.join(ws, ".clang-tidy"), "w").write(
        "Checks: '-*,fanout-*'\n")
    json.dump([{"directory": ws, "file": os.path.join(ws, "mission.cpp"),
                "arguments": ["clang++", "-std=c++20", "-c",
                              "mission.cpp"]}],
              open(os.path.join(ws, "compile_commands.json"), "w"))

    out = os.path.join(work, "out.json")
    env = dict(os.environ, FANOUT_NVIM_OUT=out,
               XDG_CONFIG_HOME=os.path.join(work, "xdg-config"),
               XDG_STATE_HOME=os.path.join(work, "xdg-state"),
               XDG_DATA_HOME=os.path.join(work, "xdg-data"),
               XDG_CACHE_HOME=os.path.join(work, "xdg-cache"))
    env.pop("CLANGD_FLAGS", None)
    version = subprocess.run([args.nvim, "--version"], capture_output=True,
                             text=True).stdout.split("\n")[0]
    print("neovim:", version)
    try:
        proc = subprocess.run(
            [args.nvim, "--headless", "--clean", "-u",
             os.path.join(work, "init.lua"), "-c",
             "luafile " + os.path.join(work, "driver.lua"), "mission.cpp"],
            cwd=ws, env=env, capture_output=True, text=True, timeout=180,
            stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        fail("Neovim did not finish within 180 s")
    if not os.path.exists(out):
        fail(f"Neovim wrote no result (exit {proc.returncode}):\n"
             f"{proc.stdout}\n{proc.stderr}")
    got = json.load(open(out))
    if got.get("errmsg"):
        fail(f"Neovim reported an error: {got['errmsg']}")
    if not got["found"]:
        fail(f"no {CHECK} warning in Neovim:\n"
             f"{json.dumps(got['diagnostics'], indent=1)}")

    diags = got["diagnostics"]
    warn = [d for d in diags if d["code"] == CHECK]
    push = line_of(program, "q.push(")
    if len(warn) != 1 or warn[0]["lnum"] != push:
        fail(f"the warning is not on the blocking push (line {push + 1}): "
             f"{warn}")
    print(f"ok: {CHECK} on line {push + 1}")
    notes = [(d["lnum"], d["message"].split("\n")[0]) for d in diags
             if d["code"] != CHECK]
    want = {
        "consumer returns here": line_of(program, "return;"),
        "consumer threads spawned here": line_of(program,
                                                 "pool.emplace_back("),
        "producer thread spawned here": line_of(program,
                                                "std::thread producer("),
        "this wait never returns": line_of(program, "producer.join()"),
        "fix: ": line_of(program, "producer.join()"),
    }
    for what, line in want.items():
        at = [m for n, m in notes if n == line and what in m.lower()]
        if not at:
            fail(f"no note '{what}' on line {line + 1}; notes: "
                 f"{json.dumps(notes, indent=1)}")
        print(f"ok: note on line {line + 1}: {at[0]}")

    titles = [a["title"] for a in got["actions"]]
    preferred = [a["title"] for a in got["actions"] if a["isPreferred"]]
    fix_note = [m for _, m in notes if m.lower().startswith("fix: ")][0]
    want_main = re.split(r", so that |; ", fix_note[len("fix: "):])[0]
    if not titles or titles[0] != want_main.rstrip(" ."):
        fail(f"quick fixes in Neovim's menu: {titles}, expected "
             f"{want_main!r} first")
    if preferred != [titles[0]]:
        fail(f"preferred quick fixes: {preferred}, expected the first")
    if not any("on each consumer exit" in t for t in titles[1:]):
        fail(f"no quick fix closing on each consumer exit in {titles}")
    for t in titles:
        if t.lower().startswith(("alternatively", "producer can")):
            fail(f"a quick fix titled by a sentence: {t!r}")
    print(f"ok: code_action menu {titles}, preferred {preferred}")
    print(f"ok: {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
