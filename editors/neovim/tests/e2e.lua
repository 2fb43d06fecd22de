-- End-to-end test of the ssc-lsp server through Neovim's own LSP client.
--
--   SSC_LSP_CMD=ssc-lsp SSC_FIXTURE=/path/to/workspace nvim --headless --clean -l editors/neovim/tests/e2e.lua
--
-- Environment:
--   SSC_LSP_CMD          server command line (default "ssc-lsp"): words split on spaces,
--                        or a JSON array (["python3", "-m", "ssc_lsp"])
--   SSC_FIXTURE          the workspace (made by run_nvim_e2e.py): pyproject.toml, main.py, pkg/util.py
--   SSC_ATTACH_TIMEOUT   seconds to wait for the server to attach (default 30)
--   SSC_REQUEST_TIMEOUT  seconds a check may keep retrying while the server indexes (default 30)
--   SSC_NO_ROOT=1        single-file mode: the fixture has no root marker (pkg/__init__.py,
--                        pkg/util.py, pkg/main.py importing `from .util import normalize_path`);
--                        the plugin starts the server as a user's config would
--                        (vim.lsp.enable: lsp/ssc.lua's root_markers find nothing, so no root and
--                        no workspace folders) and definition through the relative import must
--                        reach pkg/util.py
--   SSC_FAKE_LLM_URL     base URL of a scripted OpenAI-compatible server (tests/fake_openai.py,
--                        started by run_nvim_e2e.py) replying "per(21)": the model is configured
--                        with llm.baseUrl / llm.model / llm.api and the completion check wants its
--                        suggestion "helper(21)" in the list, checked against the map. Unset: no
--                        LLM (provider "none"), the completion check wants the map's "helper".
--
-- Exit status 0 when every check passed, 1 otherwise (including: no attach within the timeout).

local uv = vim.uv or vim.loop
local t0 = uv.hrtime()

local function say(fmt, ...)
  io.stdout:write(('[%6.2fs] '):format((uv.hrtime() - t0) / 1e9) .. fmt:format(...) .. '\n')
  io.stdout:flush()
end

local results = {} ---@type {name: string, ok: boolean, detail: string}[]
local client ---@type vim.lsp.Client?

local function log_tail(n)
  local ok, path = pcall(vim.lsp.get_log_path)
  if not ok or not path or vim.fn.filereadable(path) == 0 then
    return
  end
  local lines = vim.fn.readfile(path)
  say('--- last lines of %s ---', path)
  for i = math.max(1, #lines - n + 1), #lines do
    io.stdout:write(lines[i]:sub(1, 400) .. '\n')
  end
end

local function finish()
  local failed = 0
  for _, r in ipairs(results) do
    if not r.ok then
      failed = failed + 1
    end
  end
  if client and not client:is_stopped() then
    client:stop()
    vim.wait(5000, function()
      return client:is_stopped()
    end, 50)
    if not client:is_stopped() then
      client:stop(true)
    end
  end
  if failed > 0 then
    log_tail(30)
  end
  say('%d passed, %d failed', #results - failed, failed)
  io.stdout:flush()
  os.exit(failed == 0 and 0 or 1)
end

local function record(name, ok, detail)
  table.insert(results, { name = name, ok = ok, detail = detail or '' })
  say('%s %s%s', ok and 'PASS' or 'FAIL', name, detail and detail ~= '' and (': ' .. detail) or '')
end

local function abort(name, detail)
  record(name, false, detail)
  finish()
end

-- Setup ------------------------------------------------------------------------

local script = debug.getinfo(1, 'S').source:sub(2)
local plugin_dir = vim.fs.dirname(vim.fs.dirname(vim.fs.normalize(vim.fn.fnamemodify(script, ':p'))))
vim.opt.runtimepath:prepend(plugin_dir)

local fixture = os.getenv('SSC_FIXTURE')
if not fixture or fixture == '' or vim.fn.isdirectory(fixture) == 0 then
  abort('setup', 'SSC_FIXTURE must name the fixture workspace (run editors/neovim/tests/run_nvim_e2e.py)')
end
fixture = vim.fs.normalize(vim.fn.fnamemodify(fixture, ':p')):gsub('/$', '')

local cmd_env = os.getenv('SSC_LSP_CMD')
local cmd
if cmd_env and vim.startswith(vim.trim(cmd_env), '[') then
  cmd = vim.json.decode(cmd_env)
elseif cmd_env and vim.trim(cmd_env) ~= '' then
  cmd = vim.split(vim.trim(cmd_env), '%s+')
else
  cmd = { 'ssc-lsp' }
end
local attach_timeout = tonumber(os.getenv('SSC_ATTACH_TIMEOUT') or '') or 30
local llm_url = os.getenv('SSC_FAKE_LLM_URL')
if llm_url == '' then
  llm_url = nil
end
local request_timeout = (tonumber(os.getenv('SSC_REQUEST_TIMEOUT') or '') or 30) * 1000

say('nvim %s, server %s, fixture %s', tostring(vim.version()), vim.inspect(cmd), fixture)
if vim.fn.has('nvim-0.11') == 0 then
  abort('setup', 'Neovim 0.11 or newer is needed')
end

vim.lsp.set_log_level('warn')

-- The plugin (plugin/ssc.lua, lua/ssc) and lsp/ssc.lua from this repository.
vim.cmd('runtime! plugin/ssc.lua')
record('plugin loads and defines :Ssc', vim.fn.exists(':Ssc') == 2)
local rtp_config = vim.lsp.config.ssc
record(
  'lsp/ssc.lua is found by vim.lsp.config',
  rtp_config ~= nil and vim.deep_equal(rtp_config.cmd, { 'ssc-lsp' }) and vim.tbl_contains(rtp_config.filetypes or {}, 'python'),
  rtp_config and ('cmd=' .. vim.inspect(rtp_config.cmd)) or 'vim.lsp.config.ssc is nil'
)
-- Every language the server maps is attached, each with its project root marker.
local missing = {}
for _, ft in ipairs({ 'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'go', 'rust', 'java' }) do
  if not vim.tbl_contains(rtp_config and rtp_config.filetypes or {}, ft) then
    table.insert(missing, 'filetype ' .. ft)
  end
end
for _, marker in ipairs({ 'pyproject.toml', 'go.mod', 'Cargo.toml', 'package.json', 'tsconfig.json', 'pom.xml', 'build.gradle', '.git' }) do
  if not vim.tbl_contains(rtp_config and vim.iter(rtp_config.root_markers or {}):flatten():totable() or {}, marker) then
    table.insert(missing, 'root marker ' .. marker)
  end
end
record('lsp/ssc.lua attaches the mapped languages (filetypes, root markers)', #missing == 0, table.concat(missing, ', '))

local no_root = os.getenv('SSC_NO_ROOT') == '1'
local main_path = fixture .. (no_root and '/pkg/main.py' or '/main.py')
local util_path = fixture .. '/pkg/util.py'
if vim.fn.filereadable(main_path) == 0 or vim.fn.filereadable(util_path) == 0 then
  abort('setup', ('the fixture needs %s and pkg/util.py'):format(no_root and 'pkg/main.py' or 'main.py'))
end

local attached, exited = false, nil
local client_id
local settings = {
  ssc = llm_url and {
    llm = { provider = 'openai', baseUrl = llm_url, model = 'fake-coder', api = 'chat', retries = 0 },
    completion = { debounceMs = 0 },
    feedback = { enabled = false },
  } or { llm = { provider = 'none' }, feedback = { enabled = false } },
}
local function on_exit(code, signal)
  exited = { code = code, signal = signal }
end
if no_root then
  -- As a user's init.lua would: the config from lsp/ssc.lua (root_markers), then enable.
  vim.lsp.config('ssc', { cmd = cmd, settings = settings, on_exit = on_exit })
  vim.lsp.enable('ssc')
end

vim.cmd.edit(vim.fn.fnameescape(main_path))
local buf = vim.api.nvim_get_current_buf()
if vim.bo[buf].filetype ~= 'python' then
  vim.bo[buf].filetype = 'python'
end
local main_uri = vim.uri_from_fname(main_path)
local util_uri = vim.uri_from_fname(util_path)

-- Attach -----------------------------------------------------------------------

vim.api.nvim_create_autocmd('LspAttach', {
  callback = function(ev)
    local c = vim.lsp.get_client_by_id(ev.data.client_id)
    if c and c.name == 'ssc' and ev.buf == buf then
      attached = true
      client_id = ev.data.client_id
    end
  end,
})

local progress = {}
vim.api.nvim_create_autocmd('LspProgress', {
  callback = function(ev)
    local v = ev.data.params and ev.data.params.value
    if type(v) == 'table' and v.kind == 'begin' then
      table.insert(progress, v.title)
    end
  end,
})

if not no_root then
  local config = vim.tbl_deep_extend('force', rtp_config or dofile(plugin_dir .. '/lsp/ssc.lua'), {
    name = 'ssc',
    cmd = cmd,
    root_dir = fixture,
    -- Offline and deterministic: the scripted model on loopback (or none), no feedback file.
    settings = settings,
    on_exit = on_exit,
  })
  local ok
  ok, client_id = pcall(vim.lsp.start, config, { bufnr = buf })
  if not ok or not client_id then
    abort('attach', ok and 'vim.lsp.start returned nil (could not spawn the server? see the message above)'
      or ('vim.lsp.start failed: %s'):format(tostring(client_id)))
  end
end
vim.wait(attach_timeout * 1000, function()
  return attached or exited ~= nil
end, 50)
if not attached then
  if exited then
    abort('attach', ('the server exited (code %s, signal %s) before attaching'):format(exited.code, exited.signal))
  end
  abort('attach', ('the server did not attach within %d s'):format(attach_timeout))
end
client = assert(vim.lsp.get_client_by_id(client_id))
record('attach', true, ('%s, offset encoding %s'):format(client.server_info and client.server_info.name or '?', client.offset_encoding))

-- Helpers ------------------------------------------------------------------------

local function line_of(lines, needle)
  for i, l in ipairs(lines) do
    local col = l:find(needle, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
end

--- Sends a request until check(result) returns true (the server may still be indexing)
--- or the time runs out. Returns ok, detail.
local function request_until(method, params, check)
  local deadline = uv.now() + request_timeout
  local last = 'no answer'
  repeat
    local resp, err = client:request_sync(method, params, math.max(1000, deadline - uv.now()), buf)
    if resp == nil then
      last = 'request failed: ' .. tostring(err)
    elseif resp.err then
      last = 'error: ' .. (resp.err.message or vim.inspect(resp.err))
      if resp.err.code == -32601 then -- MethodNotFound: retrying will not help
        return false, last
      end
    else
      local good, detail = check(resp.result)
      if good then
        return true, detail
      end
      last = detail or ('unexpected result: ' .. vim.inspect(resp.result):sub(1, 300))
    end
    if exited then
      return false, ('the server exited (code %s): %s'):format(exited.code, last)
    end
    vim.wait(250)
  until uv.now() >= deadline
  return false, last
end

local function locations(result)
  if result == nil or result == vim.NIL then
    return {}
  end
  if result.uri or result.targetUri then
    result = { result }
  end
  local out = {}
  for _, l in ipairs(result) do
    table.insert(out, {
      uri = l.uri or l.targetUri,
      line = (l.range or l.targetSelectionRange or l.targetRange).start.line,
    })
  end
  return out
end

local function same_file(a, b)
  return vim.fs.normalize(vim.uri_to_fname(a)) == vim.fs.normalize(vim.uri_to_fname(b))
end

local function describe(locs)
  local parts = {}
  for _, l in ipairs(locs) do
    table.insert(parts, ('%s:%d'):format(vim.fn.fnamemodify(vim.uri_to_fname(l.uri), ':t'), l.line))
  end
  return table.concat(parts, ', ')
end

--- Definition at params must reach `line` of the file at `uri` (`label` names it). Returns ok, detail.
local function definition_at(params, uri, line, label, where)
  return request_until('textDocument/definition', params, function(result)
    local locs = locations(result)
    for _, l in ipairs(locs) do
      if same_file(l.uri, uri) and l.line == line then
        return true, describe(locs)
      end
    end
    return false, ('expected %s:%d%s, got [%s]'):format(label, line, where or '', describe(locs))
  end)
end

--- Definition at params must reach line 0 of pkg/util.py ("def ..."). Returns ok, detail.
local function definition_in_util(params, where)
  return definition_at(params, util_uri, 0, 'pkg/util.py', where)
end

--- References (declaration included) at params must hold line 0 of pkg/util.py and the call on
--- `line` of the main file. Returns ok, detail.
local function references_in_both(params, line)
  params.context = { includeDeclaration = true }
  return request_until('textDocument/references', params, function(result)
    local locs = locations(result)
    local def, call = false, false
    for _, l in ipairs(locs) do
      def = def or (same_file(l.uri, util_uri) and l.line == 0)
      call = call or (same_file(l.uri, main_uri) and l.line == line)
    end
    if def and call then
      return true, describe(locs)
    end
    return false, ('expected pkg/util.py:0 and %s:%d, got [%s]'):format(vim.fn.fnamemodify(main_path, ':t'), line, describe(locs))
  end)
end

-- Single-file mode: no root marker, so no root and no workspace folders; the server maps
-- the project around the file (the package, from above its topmost folder).
if no_root then
  record('started without a root (no root marker)', client.root_dir == nil and client.workspace_folders == nil,
    ('root_dir=%s, workspace_folders=%s'):format(tostring(client.root_dir), vim.inspect(client.workspace_folders)))
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local import_l, import_c = line_of(lines, 'import normalize_path')
  local call_l, call_c = line_of(lines, 'normalize_path(')
  if not import_l or not call_l then
    abort('setup', 'pkg/main.py must contain "from .util import normalize_path" and a call normalize_path(...)')
  end
  local function reaches_util(pos, what)
    record(what, definition_in_util({ textDocument = { uri = main_uri }, position = pos }))
  end
  reaches_util({ line = import_l, character = import_c + #'import ' + 2 }, 'textDocument/definition through a relative import (no root)')
  reaches_util({ line = call_l, character = call_c + 2 }, 'textDocument/definition of the call (no root)')
  record('textDocument/references across the two files (no root)',
    references_in_both({ textDocument = { uri = util_uri }, position = { line = 0, character = 6 } }, call_l))
  -- A folder added later (workspace/didChangeWorkspaceFolders): the open file moves into its map.
  vim.lsp.buf.add_workspace_folder(fixture)
  record('a folder added later takes the open file over (one map)', request_until('ssc/status', vim.empty_dict(), function(result)
    local folders = type(result) == 'table' and result.folders or {}
    local f = folders[1]
    local good = #folders == 1 and f.root == fixture and f.loose == false and f.openDocuments == 1 and result.ready == true
    return good, (vim.inspect(folders):gsub('%s+', ' '):sub(1, 300))
  end))
  reaches_util({ line = call_l, character = call_c + 2 }, 'textDocument/definition in the added folder')
  -- vim.lsp.enable: a Go buffer gets the server too (as every language the server maps does),
  -- and the server's map answers in it.
  local go_path = fixture .. '/pkg/tool.go'
  vim.fn.writefile({ 'package pkg', '', 'func Twice(x int) int { return x * 2 }', '', 'func Use() int { return Twice(21) }' }, go_path)
  vim.cmd.edit(vim.fn.fnameescape(go_path))
  local go_buf = vim.api.nvim_get_current_buf()
  local go_attached = vim.wait(attach_timeout * 1000, function()
    return #vim.lsp.get_clients({ bufnr = go_buf, name = 'ssc' }) > 0
  end, 50)
  record('a Go buffer attaches the server', go_attached, 'filetype ' .. vim.bo[go_buf].filetype)
  if go_attached then
    local go_uri = vim.uri_from_fname(go_path)
    record('textDocument/definition in Go',
      definition_at({ textDocument = { uri = go_uri }, position = { line = 4, character = 26 } }, go_uri, 2, 'pkg/tool.go'))
  end
  finish()
end

local main_lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
local call_line, call_col = line_of(main_lines, 'helper(21)')
local import_line = line_of(main_lines, 'import helper')
-- A call after non-ASCII text on its line (optional in the fixture): positions in the
-- encoding the client and server agreed on must land on the same character.
local wide_line, wide_byte = line_of(main_lines, 'helper(1)')
local hel_line, hel_col
for i, l in ipairs(main_lines) do
  if l:match('return hel$') then
    hel_line, hel_col = i - 1, #l - 3
  end
end
if not call_line or not import_line or not hel_line then
  abort('setup', 'main.py must contain "from pkg.util import helper", "helper(21)" and a line ending in "return hel"')
end

local call_pos = { line = call_line, character = call_col + 2 } -- inside "helper" (ASCII: bytes = UTF-16)
local function pos_params(pos)
  return { textDocument = { uri = main_uri }, position = pos }
end

-- Checks -------------------------------------------------------------------------

-- definition: the call of helper() in main.py -> "def helper" on line 0 of pkg/util.py
record('textDocument/definition', definition_in_util(pos_params(call_pos)))

-- definition after non-ASCII text: the column is sent in the negotiated encoding
if wide_line then
  local text = main_lines[wide_line + 1]
  local character = vim.str_utfindex(text, client.offset_encoding, wide_byte + 1, false)
  record(('textDocument/definition after non-ASCII text (%s)'):format(client.offset_encoding),
    definition_in_util(pos_params({ line = wide_line, character = character }), (' from column %d'):format(character)))
end

-- references: the definition and the call (declaration included)
record('textDocument/references', references_in_both(pos_params(call_pos), call_line))

-- completion: "return hel|" offers helper
local function completion_words(result)
  if result == nil or result == vim.NIL then
    return {}
  end
  local items = result.items or result
  local words = {}
  for _, it in ipairs(items) do
    local edit = it.textEdit and it.textEdit.newText
    table.insert(words, it.insertText or edit or it.label)
    if it.label then
      table.insert(words, it.label)
    end
  end
  return words
end
local completion_params = {
  textDocument = { uri = main_uri },
  position = { line = hel_line, character = hel_col + 3 },
  context = { triggerKind = 1 },
}
record('textDocument/completion', request_until('textDocument/completion', completion_params, function(result)
  local words = completion_words(result)
  for _, w in ipairs(words) do
    if type(w) == 'string' and vim.startswith(vim.trim(w), 'helper') then
      return true, ('%d items, one is %q'):format(#words, w)
    end
  end
  return false, ('no item starts with "helper" (%d items: %s)'):format(#words, table.concat(vim.list_slice(words, 1, 10), ', '))
end))

-- The model's suggestion: the list is incomplete while the model works; asked again (as
-- Neovim does at the next keystroke), it carries the suggestion, checked against the map.
if llm_url then
  local llm_item
  record('textDocument/completion: the model\'s suggestion (scripted server)', request_until('textDocument/completion', completion_params, function(result)
    local items = type(result) == 'table' and (result.items or result) or {}
    for _, it in ipairs(items) do
      local data = type(it.data) == 'table' and it.data or {}
      if data.ssc == 'llm' then
        llm_item = it
        local text = it.textEdit and it.textEdit.newText or it.insertText or it.label
        return text == 'helper(21)', ('item %q (%s), isIncomplete=%s'):format(text, it.detail or '', tostring(result.isIncomplete))
      end
    end
    return false, ('no model item yet among %d items (isIncomplete=%s)'):format(#items, tostring(result and result.isIncomplete))
  end))
  if llm_item then
    record('completionItem/resolve: the suggestion was checked against the map', request_until('completionItem/resolve', llm_item, function(result)
      local doc = type(result) == 'table' and result.documentation
      local value = type(doc) == 'table' and doc.value or doc
      if type(value) == 'string' and value:find('Checked against the map', 1, true) then
        return true, (value:match('Checked against the map[^\n]*') or value)
      end
      return false, 'documentation: ' .. vim.inspect(value)
    end))
  end
end

-- ssc/context (custom request): {items: [...], markdown: string}
record('ssc/context', request_until('ssc/context', vim.tbl_extend('force', pos_params(call_pos), { budgetChars = 4000 }), function(result)
  if type(result) ~= 'table' or type(result.items) ~= 'table' or type(result.markdown) ~= 'string' then
    return false, 'expected {items, markdown}, got ' .. vim.inspect(result):sub(1, 300)
  end
  for _, it in ipairs(result.items) do
    if type(it.path) ~= 'string' or type(it.start_line) ~= 'number' or type(it.end_line) ~= 'number' then
      return false, 'an item without path/start_line/end_line: ' .. vim.inspect(it):sub(1, 300)
    end
  end
  return true, ('%d items, %d chars of markdown'):format(#result.items, #result.markdown)
end))

-- ssc/stats (custom request)
local stats
record('ssc/stats', request_until('ssc/stats', vim.empty_dict(), function(result)
  stats = result
  return type(result) == 'table', vim.inspect(result):gsub('%s+', ' '):sub(1, 200)
end))

-- Only the stub server echoes what it received: check that the settings arrived
-- both as initializationOptions and through workspace/configuration.
if type(stats) == 'table' and stats.stub then
  local want = { llm = { provider = 'none' }, feedback = { enabled = false } }
  record('settings -> initializationOptions (stub echo)', vim.deep_equal(stats.initializationOptions, want), vim.inspect(stats.initializationOptions):gsub('%s+', ' '))
  record('settings -> workspace/configuration "ssc" (stub echo)', vim.deep_equal(stats.configuration, want), vim.inspect(stats.configuration):gsub('%s+', ' '))
end

-- :Ssc commands open floats with what the server returned
local notes = {}
local notify = vim.notify
vim.notify = function(msg)
  table.insert(notes, tostring(msg))
  say('notify: %s', tostring(msg))
end

--- Runs an Ex command (or a function); returns the first line(s) of the float it opens, or nil + why.
local function float_after(ex, pattern)
  local before = {}
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    before[w] = true
  end
  local n_notes = #notes
  if type(ex) == 'function' then
    ex()
  else
    vim.cmd(ex)
  end
  local float
  vim.wait(request_timeout, function()
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if not before[w] and vim.api.nvim_win_get_config(w).relative ~= '' then
        float = w
        return true
      end
    end
    return #notes > n_notes -- an error message: stop waiting
  end, 50)
  if not float then
    return nil, #notes > n_notes and notes[#notes] or 'no floating window appeared'
  end
  local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false)
  vim.api.nvim_win_close(float, true)
  local text = table.concat(lines, '\n')
  if pattern and not text:find(pattern) then
    return nil, ('the float does not match %q: %s'):format(pattern, text:sub(1, 200))
  end
  return ('float with %d lines: %s'):format(#lines, (lines[1] or ''):sub(1, 60))
end

local function check_float(name, ex, pattern)
  local detail, why = float_after(ex, pattern)
  record(name, detail ~= nil, detail or why)
end

vim.api.nvim_win_set_cursor(0, { call_line + 1, call_col + 2 })
check_float(':Ssc context', 'Ssc context', 'context')
check_float(':Ssc stats', 'Ssc stats', 'ssc map statistics')
-- The server command, run as a code action or lens would (vim.lsp.commands handler of the plugin).
check_float('ssc.showContext (server command)', function()
  client:exec_cmd({ title = 'context', command = 'ssc.showContext', arguments = { pos_params(call_pos) } }, { bufnr = buf })
end, 'context')

local function note_after(ex)
  local n = #notes
  if type(ex) == 'function' then
    ex()
  else
    vim.cmd(ex)
  end
  vim.wait(request_timeout, function()
    return #notes > n
  end, 50)
  return #notes > n and notes[#notes] or nil
end

local function offers(command)
  return vim.tbl_contains(vim.tbl_get(client.server_capabilities, 'executeCommandProvider', 'commands') or {}, command)
end

do
  local msg = note_after('Ssc reindex')
  record(':Ssc reindex (ssc.reindex)', msg ~= nil and msg:find('^ssc: re%-indexing') ~= nil, msg or 'no message')
  record('ssc/stats after re-indexing', request_until('ssc/stats', vim.empty_dict(), function(result)
    local state = type(result) == 'table' and type(result.folders) == 'table' and result.folders[1] and result.folders[1].state
    return result and (result.stub or state == 'ready'), 'state ' .. tostring(state)
  end))
end

-- The server's optional commands (refactor, explain and the refactor commands of issue 11):
-- each :Ssc subcommand is completed exactly when the server lists its command, and said to
-- be unavailable (nothing sent) when it does not.
local ssc = require('ssc')
local sub_names = ssc.complete('', 'Ssc ')
local hidden = {}
for sub, command in pairs(ssc.needs_server_command) do
  if vim.tbl_contains(sub_names, sub) ~= offers(command) then
    table.insert(hidden, ('%s (%s listed: %s)'):format(sub, command, tostring(offers(command))))
  end
end
record(':Ssc completion offers a subcommand exactly when the server lists its command', #hidden == 0, #hidden == 0 and table.concat(sub_names, ' ') or table.concat(hidden, '; '))
local unavailable = {}
for sub, command in pairs(ssc.needs_server_command) do
  if not offers(command) then
    local msg = note_after('Ssc ' .. sub)
    if not (msg and msg:find('not available in this server version', 1, true) and msg:find(command, 1, true)) then
      table.insert(unavailable, sub .. ': ' .. tostring(msg))
    end
  end
end
record(':Ssc <command the server does not list> says it is not available', #unavailable == 0, table.concat(unavailable, '; '))

-- Against the stub (which refuses any argument but the contract's one object, and answers
-- like the server's `deliver`): every command runs, the user sees what the check found.
if type(stats) == 'table' and stats.stub and offers('ssc.moveSymbol') then
  local ui_input, ui_select, buf_rename = vim.ui.input, vim.ui.select, vim.lsp.buf.rename
  local answers, renamed = {}, nil
  vim.ui.input = function(opts, on_confirm)
    on_confirm(table.remove(answers, 1))
  end
  vim.ui.select = function(items, _, on_choice)
    on_choice(type(items[1]) == 'table' and items[2] or items[1]) -- 'Apply'; the second name
  end
  vim.lsp.buf.rename = function(name)
    renamed = name
  end
  local function note_is(name, ex, want)
    local msg = note_after(ex)
    record(name, msg == want, ('%s (want %s)'):format(tostring(msg), want))
  end
  check_float(':Ssc explain (offered by the server)', 'Ssc explain', 'stub explanation')
  -- Preview first (ssc.previewEdit): the diff and the check's findings, then applied here.
  check_float(':Ssc signature shows the preview', 'Ssc signature add timeout=10; remove verbose', 'stub preview')
  record(':Ssc signature: applied after the preview', notes[#notes] == 'ssc: stub changeSignature add:timeout remove:verbose — checked: no problems', notes[#notes])
  check_float(':Ssc move: the preview shows the problem', 'Ssc move pkg/other.py', "stub problem: name 'helper' no longer resolves")
  record(':Ssc move: the problem is said', notes[#notes] == "ssc: stub move to pkg/other.py — 1 problem: stub problem: name 'helper' no longer resolves", notes[#notes])
  note_is(':Ssc extract_function NAME', 'Ssc extract_function compute', 'ssc: stub extractFunction compute — checked: no problems')
  note_is(':Ssc extract_variable (the model names it)', 'Ssc extract_variable', 'ssc: stub extractVariable (model names it) — checked: no problems')
  note_is(':Ssc inline', 'Ssc inline', 'ssc: stub inline — checked: no problems')
  answers = { 'rename n count' }
  note_is(':Ssc signature asks for the change', 'Ssc signature', 'ssc: stub changeSignature rename:n — checked: no problems')
  note_is(':Ssc signature refuses what it cannot read', 'Ssc signature drop x', 'ssc: unknown change "drop": "drop x"')
  -- Without preview the server applies the edit; the outcome's problems and notes still show.
  ssc.config.preview = false
  check_float(':Ssc move (applied by the server) shows the problem', 'Ssc move pkg/other.py', "stub problem: name 'helper' no longer resolves")
  check_float(':Ssc refactor shows the note', 'Ssc refactor make it faster', 'stub note: 1 caller could not be updated')
  record(':Ssc refactor says what the check found', notes[#notes] == 'ssc: stub refactor: make it faster — checked: no problems (1 note)', notes[#notes])
  ssc.config.preview = true
  -- suggestNames: a pick list, then the standard rename with the name picked.
  vim.cmd('Ssc names')
  vim.wait(request_timeout, function()
    return renamed ~= nil
  end, 50)
  record(':Ssc names renames to the name picked', renamed == 'double', tostring(renamed))
  -- As a code action runs it (vim.lsp.commands): asks for the missing target, shows the outcome.
  answers = { 'pkg/from_action.py' }
  note_is('ssc.moveSymbol from a code action asks for the target', function()
    client:exec_cmd({ title = 'move', command = 'ssc.moveSymbol', arguments = { pos_params(call_pos) } }, { bufnr = buf })
  end, "ssc: stub move to pkg/from_action.py — 1 problem: stub problem: name 'helper' no longer resolves")
  vim.ui.input, vim.ui.select, vim.lsp.buf.rename = ui_input, ui_select, buf_rename
end
vim.notify = notify

-- rename (last: it edits the buffers): helper -> twice, in both files, import included
do
  local edit
  local got, detail = request_until('textDocument/rename', vim.tbl_extend('force', pos_params(call_pos), { newName = 'twice' }), function(result)
    if type(result) == 'table' and (result.changes ~= nil or result.documentChanges ~= nil) then
      edit = result
      return true
    end
    return false, 'expected a WorkspaceEdit, got ' .. vim.inspect(result):sub(1, 300)
  end)
  if got then
    vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding)
    local main_now = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    local util_buf = vim.fn.bufadd(util_path)
    vim.fn.bufload(util_buf)
    local util_now = vim.api.nvim_buf_get_lines(util_buf, 0, -1, false)
    local problems = {}
    if not (main_now[call_line + 1] or ''):find('twice(21)', 1, true) then
      table.insert(problems, 'main.py call not renamed: ' .. (main_now[call_line + 1] or ''))
    end
    if not (main_now[import_line + 1] or ''):find('import twice', 1, true) then
      table.insert(problems, 'main.py import not renamed: ' .. (main_now[import_line + 1] or ''))
    end
    if wide_line and not (main_now[wide_line + 1] or ''):find('= twice(1)', 1, true) then
      table.insert(problems, 'the call after non-ASCII text not renamed in place: ' .. (main_now[wide_line + 1] or ''))
    end
    if not (util_now[1] or ''):find('def twice', 1, true) then
      table.insert(problems, 'pkg/util.py definition not renamed: ' .. (util_now[1] or ''))
    end
    got = #problems == 0
    local files = vim.tbl_count(edit.changes or {}) + #(edit.documentChanges or {})
    detail = got and ('edits in %d files applied'):format(files) or table.concat(problems, '; ')
  end
  record('textDocument/rename', got, detail)
end

if #progress > 0 then
  say('progress seen: %s', table.concat(progress, ', '))
end

finish()
