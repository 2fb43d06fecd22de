-- ssc.nvim: user commands and completion wiring for the ssc-lsp language server.
-- Needs Neovim 0.11+. See :help ssc.

local M = {}

M.client_name = 'ssc'

M.config = {
  -- Call vim.lsp.enable('ssc') in setup().
  enable = true,
  -- Inline (ghost text) completion where vim.lsp.inline_completion exists (Neovim 0.12+).
  inline = true,
  -- Insert-mode keys for inline completion: accept, next / previous candidate.
  inline_accept = '<C-l>',
  inline_next = '<M-]>',
  inline_prev = '<M-[>',
  -- vim.lsp.completion (completion menu from the server's list items) when
  -- inline completion is not available. autotrigger: open the menu while typing.
  completion = true,
  autotrigger = false,
  -- Options for the floating windows (:Ssc context, explain, stats, symbol).
  float = { border = 'rounded', max_width = 100, max_height = 40 },
  -- Edit commands (:Ssc signature, move, extract_*, inline, refactor): show the edit as a
  -- diff with what the server's check found (ssc.previewEdit) and ask before applying it.
  -- false, or a server without ssc.previewEdit: the server applies it (workspace/applyEdit).
  preview = true,
}

local SERVER_COMMANDS = {
  reindex = 'ssc.reindex',
  show_context = 'ssc.showContext',
  refactor = 'ssc.refactor',
  explain = 'ssc.explain',
  accept = 'ssc.acceptCompletion',
  change_signature = 'ssc.changeSignature',
  move_symbol = 'ssc.moveSymbol',
  extract_function = 'ssc.extractFunction',
  extract_variable = 'ssc.extractVariable',
  inline = 'ssc.inline',
  suggest_names = 'ssc.suggestNames',
  preview_edit = 'ssc.previewEdit',
  apply_action = 'ssc.applyAction',
}
M.SERVER_COMMANDS = SERVER_COMMANDS

local function notify(msg, level)
  vim.notify('ssc: ' .. msg, level or vim.log.levels.INFO)
end

--- The ssc client attached to a buffer (default: current), or nil with a message.
---@param bufnr? integer
---@param quiet? boolean
---@return vim.lsp.Client?
function M.client(bufnr, quiet)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local clients = vim.lsp.get_clients({ bufnr = bufnr, name = M.client_name })
  if #clients == 0 then
    clients = vim.lsp.get_clients({ name = M.client_name })
  end
  if #clients == 0 and not quiet then
    notify('no ssc-lsp client is running (is `ssc-lsp` on PATH? see :checkhealth vim.lsp)', vim.log.levels.ERROR)
  end
  return clients[1]
end

-- Floating windows -----------------------------------------------------------

--- Shows markdown in a float; returns the float's buffer and window.
---@param markdown string
---@param focus_id string
--- `extra`: more options of open_floating_preview (focus = false: a float already open under
--- this id is replaced, not focused; the edit commands use it, their next run must not start
--- in the float's buffer).
function M.show_markdown(markdown, focus_id, extra)
  local lines = vim.split(markdown ~= '' and markdown or '_(empty)_', '\n', { plain = true })
  local opts = vim.tbl_extend('force', M.config.float, { focus_id = 'ssc_' .. focus_id }, extra or {})
  return vim.lsp.util.open_floating_preview(lines, 'markdown', opts)
end

local function pretty(value)
  return vim.inspect(value, { newline = '\n', indent = '  ' })
end

local function markdown_from_result(result)
  if type(result) == 'string' then
    return result
  end
  if type(result) ~= 'table' then
    return nil
  end
  for _, key in ipairs({ 'markdown', 'value', 'contents', 'text' }) do
    local v = result[key]
    if type(v) == 'string' then
      return v
    elseif type(v) == 'table' and type(v.value) == 'string' then
      return v.value
    end
  end
  return nil
end
M._markdown_from_result = markdown_from_result

--- Markdown for an ssc/context result (or the string ssc.showContext returns): the
--- server's `markdown`, else built from `items` (0-based start_line/end_line, why: list).
function M.context_markdown(result)
  if type(result) == 'string' and result ~= '' then
    return result
  end
  if type(result) ~= 'table' then
    return '_No context._'
  end
  if type(result.markdown) == 'string' and result.markdown ~= '' then
    return result.markdown
  end
  local out = { '# ssc context', '' }
  for _, it in ipairs(result.items or {}) do
    local first = tonumber(it.start_line or it.startLine)
    local last = tonumber(it.end_line or it.endLine)
    table.insert(out, ('## %s:%s-%s %s'):format(it.path, first and first + 1 or '?', last and last + 1 or '?', it.kind and ('(' .. it.kind .. ')') or ''))
    local why = it.why
    if type(why) == 'table' then
      why = table.concat(why, '; ')
    end
    if type(why) == 'string' and why ~= '' then
      table.insert(out, '_' .. why .. '_')
    end
    if it.text then
      table.insert(out, '```python')
      vim.list_extend(out, vim.split(it.text, '\n', { plain = true }))
      table.insert(out, '```')
    end
    table.insert(out, '')
  end
  if #out == 2 then
    return '_No context._'
  end
  return table.concat(out, '\n')
end

local function is_workspace_edit(v)
  return type(v) == 'table' and (type(v.changes) == 'table' or type(v.documentChanges) == 'table')
end

-- Requests -------------------------------------------------------------------

--- The current buffer and its ssc client (nil, said to the user, when none runs).
local function current()
  local bufnr = vim.api.nvim_get_current_buf()
  return bufnr, M.client(bufnr)
end

--- Sends a request to the ssc client; calls on_result(result, client) on success.
local function request(client, method, params, bufnr, on_result)
  return client:request(method, params, function(err, result)
    if err then
      notify(('%s failed: %s'):format(method == 'workspace/executeCommand' and params.command or method, err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    on_result(result, client)
  end, bufnr)
end

local function execute(client, command, arguments, bufnr, on_result)
  return request(client, 'workspace/executeCommand', { command = command, arguments = arguments }, bufnr, on_result)
end

--- True when the server lists `command` in executeCommandProvider.commands.
function M.server_has_command(client, command)
  local commands = vim.tbl_get(client.server_capabilities or {}, 'executeCommandProvider', 'commands') or {}
  return vim.tbl_contains(commands, command)
end

--- Like execute(), but says so (and sends nothing) when the server does not offer `command`.
local function execute_offered(client, what, command, arguments, bufnr, on_result)
  if not M.server_has_command(client, command) then
    local info = client.server_info or {}
    notify(('%s is not available in this server version (%s %s does not offer %s)'):format(
      what, info.name or client.name, info.version or '?', command), vim.log.levels.WARN)
    return
  end
  return execute(client, command, arguments, bufnr, on_result)
end

local function position_params(client, bufnr)
  local win = vim.fn.bufwinid(bufnr)
  return vim.lsp.util.make_position_params(win ~= -1 and win or 0, client.offset_encoding)
end

--- uri and LSP range for line1..line2 (the visual selection when it matches), else the cursor line.
local function range_params(client, bufnr, line1, line2, use_marks)
  if use_marks then
    local s = vim.api.nvim_buf_get_mark(bufnr, '<')
    local e = vim.api.nvim_buf_get_mark(bufnr, '>')
    if s[1] == line1 and e[1] == line2 then
      local last = vim.api.nvim_buf_get_lines(bufnr, e[1] - 1, e[1], false)[1] or ''
      local ecol = math.min(e[2], math.max(#last - 1, 0))
      return vim.lsp.util.make_given_range_params({ s[1], s[2] }, { e[1], ecol }, bufnr, client.offset_encoding)
    end
  end
  local last = vim.api.nvim_buf_get_lines(bufnr, line2 - 1, line2, false)[1] or ''
  local p = vim.lsp.util.make_given_range_params({ line1, 0 }, { line2, math.max(#last - 1, 0) }, bufnr, client.offset_encoding)
  if #last == 0 then
    p.range['end'] = { line = line2 - 1, character = 0 }
  end
  return p
end

local function apply_refactor_result(client, result)
  if is_workspace_edit(result) then
    vim.lsp.util.apply_workspace_edit(result, client.offset_encoding)
  elseif type(result) == 'table' and is_workspace_edit(result.edit) then
    vim.lsp.util.apply_workspace_edit(result.edit, client.offset_encoding)
  else
    local md = markdown_from_result(result)
    if md then
      M.show_markdown(md, 'refactor')
    else
      notify('refactor done')
    end
  end
end

-- Refactor commands (issue 11) ---------------------------------------------------

M.SIGNATURE_SYNTAX = 'add NAME=DEFAULT | add NAME pass VALUE | remove NAME | rename OLD NEW | reorder A B C'
  .. ' (several: separate with ";"; "at N" after add sets the position)'

local IDENT = '^[%a_][%w_]*$'

local function parse_change(text)
  local op, rest = vim.trim(text):match('^(%S+)%s*(.*)$')
  op = (op or ''):lower()
  local words = vim.split(vim.trim(rest or ''), '[%s,]+', { trimempty = true })
  local function idents(list)
    for _, w in ipairs(list) do
      if not w:match(IDENT) then
        return false
      end
    end
    return true
  end
  if op == 'remove' then
    if #words ~= 1 or not idents(words) then
      return nil, '"remove" takes one parameter name'
    end
    return { op = 'remove', name = words[1] }
  elseif op == 'rename' then
    if #words ~= 2 or not idents(words) then
      return nil, '"rename" takes the old and the new name'
    end
    return { op = 'rename', name = words[1], newName = words[2] }
  elseif op == 'reorder' then
    if #words < 2 or not idents(words) then
      return nil, '"reorder" takes the parameter names in their new order'
    end
    return { op = 'reorder', order = words }
  elseif op == 'add' then
    local body, index = vim.trim(rest), nil
    local before, n = body:match('^(.-)%s+at%s+(%d+)$')
    if before then
      body, index = before, tonumber(n)
    end
    local name, default = body:match('^([%a_][%w_]*)%s*=%s*(.-)%s*$')
    local change
    if name and default ~= '' then
      change = { op = 'add', name = name, default = default }
    else
      local pname, value = body:match('^([%a_][%w_]*)%s+pass%s+(.-)%s*$')
      if not pname or value == '' then
        return nil, '"add" takes NAME=DEFAULT or NAME pass VALUE (the value each call passes)'
      end
      change = { op = 'add', name = pname, value = value }
    end
    change.index = index
    return change
  end
  return nil, ('unknown change "%s"'):format(op)
end

--- The changes typed as `add x=1; remove y` (M.SIGNATURE_SYNTAX), or nil and why not.
function M.parse_signature_changes(text)
  local changes = {}
  for _, part in ipairs(vim.split(text or '', ';', { plain = true })) do
    if vim.trim(part) ~= '' then
      local change, err = parse_change(part)
      if not change then
        return nil, ('%s: "%s"'):format(err, vim.trim(part))
      end
      table.insert(changes, change)
    end
  end
  if #changes == 0 then
    return nil, 'no change given (' .. M.SIGNATURE_SYNTAX .. ')'
  end
  return changes
end

--- The outcome of an edit command ({title, summary, problems, notes, applied, error?}), or nil.
local function outcome_of(result)
  if type(result) ~= 'table' or (type(result.summary) ~= 'string' and type(result.problems) ~= 'table' and type(result.error) ~= 'string') then
    return nil
  end
  return {
    title = type(result.title) == 'string' and result.title or 'ssc',
    summary = type(result.summary) == 'string' and result.summary or '',
    problems = type(result.problems) == 'table' and result.problems or {},
    notes = type(result.notes) == 'table' and result.notes or {},
    applied = result.applied == true,
    error = type(result.error) == 'string' and result.error or nil,
    edit = is_workspace_edit(result.edit) and result.edit or nil,
  }
end
M._outcome_of = outcome_of

local function problem_place(p)
  local start = vim.tbl_get(p, 'range', 'start') or {}
  local where = p.path or p.uri or '?'
  return type(start.line) == 'number' and ('%s:%d:%d'):format(where, start.line + 1, (start.character or 0) + 1) or where
end

--- One line: the title, what the check found, applied or not.
function M.outcome_line(o)
  local parts = { o.title }
  if o.summary ~= '' then
    table.insert(parts, o.summary)
  end
  if o.error then
    table.insert(parts, o.error)
  elseif not o.applied then
    table.insert(parts, 'not applied')
  end
  return table.concat(parts, ' — ')
end

--- The problems and notes of an outcome as markdown (always shown when there are any).
function M.outcome_markdown(o)
  local out = { '# ' .. o.title, '', ('**%s**%s'):format(o.summary ~= '' and o.summary or 'no summary', o.applied and ' (applied)' or ' (not applied)') }
  if o.error then
    vim.list_extend(out, { '', '_' .. o.error .. '_' })
  end
  if #o.problems > 0 then
    vim.list_extend(out, { '', ('## Problems (%d)'):format(#o.problems), '' })
    for _, p in ipairs(o.problems) do
      table.insert(out, ('- `%s` %s%s'):format(problem_place(p), p.kind and ('[' .. p.kind .. '] ') or '', p.message or ''))
    end
  end
  if #o.notes > 0 then
    vim.list_extend(out, { '', ('## Notes (%d)'):format(#o.notes), '' })
    for _, n in ipairs(o.notes) do
      table.insert(out, '- ' .. tostring(n))
    end
  end
  return table.concat(out, '\n')
end

--- Tells what an edit command answered: one line, and its problems and notes in a float.
local function show_outcome(client, result)
  local o = outcome_of(result)
  if not o then
    return apply_refactor_result(client, result)
  end
  local bad = #o.problems > 0 or #o.notes > 0 or o.error ~= nil
  notify(M.outcome_line(o), bad and vim.log.levels.WARN or vim.log.levels.INFO)
  if bad then
    M.show_markdown(M.outcome_markdown(o), 'refactor', { focus = false })
  end
end

--- Runs an edit command. With preview (config.preview and a server offering ssc.previewEdit)
--- it asks for the edit without applying it, shows the diff and the check's findings, and
--- applies it here when the user says so; else the server applies it.
local function run_edit(client, command, arg, bufnr)
  local preview = M.config.preview and M.server_has_command(client, SERVER_COMMANDS.preview_edit)
  if not preview then
    return execute(client, command, { arg }, bufnr, function(result)
      show_outcome(client, result)
    end)
  end
  arg = vim.tbl_extend('force', arg, { apply = false })
  execute(client, command, { arg }, bufnr, function(result)
    local o = outcome_of(result)
    if not o or not o.edit then
      return show_outcome(client, result)
    end
    execute(client, SERVER_COMMANDS.preview_edit, { { edit = o.edit } }, bufnr, function(shown)
      local md = (markdown_from_result(shown) or '') .. '\n\n' .. M.outcome_markdown(o)
      M.show_markdown(md, 'preview', { focus = false })
      vim.ui.select({ 'Apply', 'Cancel' }, { prompt = ('ssc: %s — %s'):format(o.title, o.summary) }, function(choice)
        if choice == 'Apply' then
          vim.lsp.util.apply_workspace_edit(o.edit, client.offset_encoding)
          o.applied = true
        end
        o.error = o.error or (choice ~= 'Apply' and 'cancelled' or nil)
        notify(M.outcome_line(o), (#o.problems > 0 or o.error) and vim.log.levels.WARN or vim.log.levels.INFO)
      end)
    end)
  end)
end

--- Asks for what `command` needs and its argument lacks (instruction, changes, target);
--- calls done(arg) with it filled in, or not at all when the user cancels.
local function complete_argument(command, arg, done)
  local function given(v)
    return type(v) == 'string' and vim.trim(v) ~= ''
  end
  if command == SERVER_COMMANDS.refactor and not given(arg.instruction) then
    vim.ui.input({ prompt = 'ssc refactor: ' }, function(text)
      if given(text) then
        arg.instruction = vim.trim(text)
        done(arg)
      end
    end)
  elseif command == SERVER_COMMANDS.change_signature and type(arg.changes) ~= 'table' then
    vim.ui.input({ prompt = 'ssc change signature (' .. M.SIGNATURE_SYNTAX .. '): ' }, function(text)
      if not given(text) then
        return
      end
      local changes, err = M.parse_signature_changes(text)
      if not changes then
        return notify(err, vim.log.levels.ERROR)
      end
      arg.changes = changes
      done(arg)
    end)
  elseif command == SERVER_COMMANDS.move_symbol and not given(arg.target) then
    vim.ui.input({ prompt = 'ssc move to (a path relative to the root, e.g. pkg/helpers.py): ' }, function(text)
      if given(text) then
        arg.target = vim.trim(text)
        done(arg)
      end
    end)
  else
    done(arg)
  end
end

--- ssc.suggestNames' names in a pick list; the pick goes to the standard rename.
local function rename_to_suggestion(result)
  local names = type(result) == 'table' and type(result.names) == 'table' and result.names or {}
  names = vim.tbl_filter(function(n)
    return type(n) == 'table' and type(n.name) == 'string'
  end, names)
  if #names == 0 then
    return notify('no better name to suggest')
  end
  vim.ui.select(names, {
    prompt = 'ssc: rename to',
    format_item = function(n)
      return type(n.reason) == 'string' and n.reason ~= '' and (n.name .. ' — ' .. n.reason) or n.name
    end,
  }, function(choice)
    if choice then
      vim.lsp.buf.rename(choice.name)
    end
  end)
end

--- What each edit subcommand sends: a position, a range, or both.
local EDIT_SUBCOMMANDS = {
  signature = { command = SERVER_COMMANDS.change_signature, what = 'change signature', position = true, field = 'changes' },
  move = { command = SERVER_COMMANDS.move_symbol, what = 'move symbol', position = true, field = 'target' },
  extract_function = { command = SERVER_COMMANDS.extract_function, what = 'extract function', range = true, field = 'name' },
  extract_variable = { command = SERVER_COMMANDS.extract_variable, what = 'extract variable', range = true, field = 'name' },
  inline = { command = SERVER_COMMANDS.inline, what = 'inline', position = true },
  refactor = { command = SERVER_COMMANDS.refactor, what = 'refactor', range = true, position = true, field = 'instruction' },
}
M.EDIT_SUBCOMMANDS = EDIT_SUBCOMMANDS

--- :Ssc signature|move|extract_function|extract_variable|inline|refactor [text]: the
--- server's edit command at the cursor (or on the range); the text is the change, the
--- target, the name or the instruction, asked for when missing (the name may stay empty:
--- the model proposes one).
function M.edit(sub, opts)
  opts = opts or {}
  local spec = EDIT_SUBCOMMANDS[sub]
  local bufnr, client = current()
  if not client or not spec then
    return
  end
  if not M.server_has_command(client, spec.command) then
    return execute_offered(client, spec.what, spec.command, {}, bufnr)
  end
  local arg = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  if spec.position then
    arg.position = position_params(client, bufnr).position
  end
  if spec.range then
    local line1 = opts.line1 or vim.api.nvim_win_get_cursor(0)[1]
    arg.range = range_params(client, bufnr, line1, opts.line2 or line1, (opts.range or 0) > 0).range
  end
  local text = opts.text and vim.trim(opts.text) or ''
  if text ~= '' and spec.field == 'changes' then
    local changes, err = M.parse_signature_changes(text)
    if not changes then
      return notify(err, vim.log.levels.ERROR)
    end
    arg.changes = changes
  elseif text ~= '' and spec.field then
    arg[spec.field] = text
  end
  complete_argument(spec.command, arg, function(full)
    run_edit(client, spec.command, full, bufnr)
  end)
end

--- :Ssc refactor [instruction] — on the range (visual selection) or the cursor line.
function M.refactor(opts)
  opts = opts or {}
  M.edit('refactor', vim.tbl_extend('force', opts, { text = opts.instruction }))
end

--- :Ssc names — better names for the symbol at the cursor (ssc.suggestNames), then rename.
function M.names()
  local bufnr, client = current()
  if not client then
    return
  end
  local arg = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = position_params(client, bufnr).position }
  execute_offered(client, 'suggest names', SERVER_COMMANDS.suggest_names, { arg }, bufnr, function(result)
    rename_to_suggestion(result)
  end)
end

--- :Ssc explain — explanation of the range or cursor line, in a float.
function M.explain(opts)
  opts = opts or {}
  local bufnr, client = current()
  if not client then
    return
  end
  local line1 = opts.line1 or vim.api.nvim_win_get_cursor(0)[1]
  local params = range_params(client, bufnr, line1, opts.line2 or line1, (opts.range or 0) > 0)
  execute_offered(client, 'explain', SERVER_COMMANDS.explain, { { textDocument = params.textDocument, range = params.range } }, bufnr, function(result)
    M.show_markdown(markdown_from_result(result) or pretty(result), 'explain')
  end)
end

--- :Ssc context — the context the model would get at the cursor (ssc/context), in a float.
function M.context(opts)
  opts = opts or {}
  local bufnr, client = current()
  if not client then
    return
  end
  local params = position_params(client, bufnr)
  local budget = tonumber(opts.budget) or vim.tbl_get(client.settings or {}, 'ssc', 'context', 'budgetChars')
  if budget then
    params.budgetChars = budget
  end
  request(client, 'ssc/context', params, bufnr, function(result)
    M.show_markdown(M.context_markdown(result), 'context')
  end)
end

--- :Ssc symbol — the symbol at the cursor with relations and history (ssc/symbol).
function M.symbol()
  local bufnr, client = current()
  if not client then
    return
  end
  request(client, 'ssc/symbol', position_params(client, bufnr), bufnr, function(result)
    M.show_markdown('# ssc symbol\n\n```lua\n' .. pretty(result) .. '\n```', 'symbol')
  end)
end

--- :Ssc stats — map statistics (ssc/stats).
function M.stats()
  local bufnr, client = current()
  if not client then
    return
  end
  request(client, 'ssc/stats', vim.empty_dict(), bufnr, function(result)
    M.show_markdown('# ssc map statistics\n\n```lua\n' .. pretty(result) .. '\n```', 'stats')
  end)
end

--- :Ssc reindex — rebuild the symbolic map.
function M.reindex()
  local bufnr, client = current()
  if not client then
    return
  end
  execute_offered(client, 're-index', SERVER_COMMANDS.reindex, {}, bufnr, function(result)
    local busy = type(result) == 'table' and type(result.busy) == 'table' and #result.busy > 0
    notify(busy and 're-indexing (a folder was indexing already)' or 're-indexing')
  end)
end

--- :Ssc restart — restart the ssc client(s).
function M.restart()
  local clients = vim.lsp.get_clients({ name = M.client_name })
  for _, client in ipairs(clients) do
    client:stop()
  end
  vim.defer_fn(function()
    if vim.lsp.is_enabled and vim.lsp.is_enabled(M.client_name) then
      -- vim.lsp.enable re-attaches on the next FileType; trigger it for open buffers.
      vim.lsp.enable(M.client_name, false)
      vim.lsp.enable(M.client_name)
    else
      vim.cmd('doautoall FileType')
    end
  end, 500)
end

-- Status (for 'statusline') ---------------------------------------------------

M._progress = { indexing = nil, last_error = nil }

--- A short status string: "ssc: indexing 40%", "ssc" (ready), "" (no client).
function M.status()
  if not M.client(0, true) then
    return ''
  end
  local p = M._progress.indexing
  if p then
    return p.percentage and ('ssc: indexing %d%%'):format(p.percentage) or 'ssc: indexing'
  end
  return 'ssc'
end

local function on_progress(ev)
  local client = vim.lsp.get_client_by_id(ev.data.client_id)
  if not client or client.name ~= M.client_name then
    return
  end
  local value = ev.data.params and ev.data.params.value or {}
  if value.kind == 'begin' and type(value.title) == 'string' and value.title:lower():find('^ssc: indexing') then
    M._progress.indexing = { token = ev.data.params.token, percentage = value.percentage, message = value.message }
  elseif M._progress.indexing and ev.data.params.token == M._progress.indexing.token then
    if value.kind == 'report' then
      M._progress.indexing.percentage = value.percentage or M._progress.indexing.percentage
      M._progress.indexing.message = value.message or M._progress.indexing.message
    elseif value.kind == 'end' then
      M._progress.indexing = nil
    end
  end
  vim.cmd.redrawstatus({ bang = true, mods = { silent = true } })
end

-- Completion -----------------------------------------------------------------

--- Called for every buffer the ssc client attaches to.
function M.on_attach(client, bufnr)
  local ic = vim.lsp.inline_completion
  local inline = M.config.inline and ic ~= nil and type(ic.enable) == 'function'
    and client:supports_method('textDocument/inlineCompletion', bufnr)
  if inline then
    pcall(ic.enable, true, { bufnr = bufnr })
    local accept = M.config.inline_accept
    if accept and accept ~= '' then
      vim.keymap.set('i', accept, function()
        local ok, accepted = pcall(ic.get, { bufnr = bufnr })
        if ok and accepted == true then
          return ''
        end
        return accept
      end, { buffer = bufnr, expr = true, replace_keycodes = true, desc = 'ssc: accept inline completion' })
    end
    local cycle = ic.select or ic.jump
    if cycle then
      if M.config.inline_next and M.config.inline_next ~= '' then
        vim.keymap.set('i', M.config.inline_next, function()
          pcall(cycle, { bufnr = bufnr, count = 1 })
        end, { buffer = bufnr, desc = 'ssc: next inline completion' })
      end
      if M.config.inline_prev and M.config.inline_prev ~= '' then
        vim.keymap.set('i', M.config.inline_prev, function()
          pcall(cycle, { bufnr = bufnr, count = -1 })
        end, { buffer = bufnr, desc = 'ssc: previous inline completion' })
      end
    end
  end
  if M.config.completion and client:supports_method('textDocument/completion', bufnr) then
    if vim.lsp.completion and vim.lsp.completion.enable then
      vim.lsp.completion.enable(true, client.id, bufnr, { autotrigger = M.config.autotrigger })
    else
      vim.bo[bufnr].omnifunc = 'v:lua.vim.lsp.omnifunc'
    end
  end
  vim.b[bufnr].ssc_inline_completion = inline and true or false
end

-- Server commands offered in code actions / code lenses ------------------------

--- Client-side handlers so that running ssc.explain / ssc.showContext / ssc.refactor
--- from a code action shows (or applies) what the server returns.
local function register_command_handlers()
  vim.lsp.commands[SERVER_COMMANDS.explain] = function(command, ctx)
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    if client then
      execute(client, command.command, command.arguments or {}, ctx.bufnr, function(result)
        M.show_markdown(markdown_from_result(result) or pretty(result), 'explain')
      end)
    end
  end
  vim.lsp.commands[SERVER_COMMANDS.show_context] = function(command, ctx)
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    if client then
      execute(client, command.command, command.arguments or {}, ctx.bufnr, function(result)
        M.show_markdown(M.context_markdown(result), 'context')
      end)
    end
  end
  -- The edit commands (and ssc.applyAction, the code actions of clients without resolve):
  -- ask for what the argument lacks, run, show what the check found.
  for _, name in ipairs({ 'refactor', 'change_signature', 'move_symbol', 'extract_function', 'extract_variable', 'inline', 'apply_action' }) do
    vim.lsp.commands[SERVER_COMMANDS[name]] = function(command, ctx)
      local client = vim.lsp.get_client_by_id(ctx.client_id)
      if not client then
        return
      end
      local args = vim.deepcopy(command.arguments or {})
      if type(args[1]) ~= 'table' or vim.islist(args[1]) then
        return execute(client, command.command, args, ctx.bufnr, function(result)
          show_outcome(client, result)
        end)
      end
      complete_argument(command.command, args[1], function(arg)
        if command.command == SERVER_COMMANDS.apply_action then
          return execute(client, command.command, { arg, unpack(args, 2) }, ctx.bufnr, function(result)
            show_outcome(client, result)
          end)
        end
        run_edit(client, command.command, arg, ctx.bufnr)
      end)
    end
  end
  vim.lsp.commands[SERVER_COMMANDS.suggest_names] = function(command, ctx)
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    if client then
      execute(client, command.command, command.arguments or {}, ctx.bufnr, function(result)
        rename_to_suggestion(result)
      end)
    end
  end
end

-- :Ssc -------------------------------------------------------------------------

M.subcommands = {
  refactor = function(o)
    M.refactor({ line1 = o.line1, line2 = o.line2, range = o.range, instruction = table.concat(o.fargs, ' ', 2) })
  end,
  explain = function(o)
    M.explain({ line1 = o.line1, line2 = o.line2, range = o.range })
  end,
  names = function()
    M.names()
  end,
  context = function(o)
    M.context({ budget = o.fargs[2] })
  end,
  symbol = function()
    M.symbol()
  end,
  stats = function()
    M.stats()
  end,
  reindex = function()
    M.reindex()
  end,
  restart = function()
    M.restart()
  end,
}

function M.command(o)
  local sub = o.fargs[1]
  local fn = sub and M.subcommands[sub]
  if not fn then
    local names = vim.tbl_keys(M.subcommands)
    table.sort(names)
    notify(('usage: :Ssc {%s}'):format(table.concat(names, '|')), sub and vim.log.levels.ERROR or vim.log.levels.INFO)
    return
  end
  fn(o)
end

--- Subcommands that need a server command, offered only when the server lists it.
M.needs_server_command = { explain = SERVER_COMMANDS.explain, names = SERVER_COMMANDS.suggest_names }
for sub, spec in pairs(EDIT_SUBCOMMANDS) do
  M.needs_server_command[sub] = spec.command
  if sub ~= 'refactor' then
    M.subcommands[sub] = function(o)
      M.edit(sub, { line1 = o.line1, line2 = o.line2, range = o.range, text = table.concat(o.fargs, ' ', 2) })
    end
  end
end

function M.complete(arglead, cmdline)
  if cmdline:match('^%S*%s+%S+%s') then
    return {}
  end
  local client = M.client(0, true)
  local names = vim.tbl_filter(function(n)
    local needs = M.needs_server_command[n]
    return not needs or (client ~= nil and M.server_has_command(client, needs))
  end, vim.tbl_keys(M.subcommands))
  table.sort(names)
  return vim.tbl_filter(function(n)
    return vim.startswith(n, arglead)
  end, names)
end

local initialized = false

--- Creates :Ssc, the LspAttach/LspProgress autocommands and the command handlers (idempotent).
function M.init()
  if initialized then
    return
  end
  initialized = true
  vim.api.nvim_create_user_command('Ssc', M.command, {
    nargs = '*',
    range = true,
    complete = M.complete,
    desc = 'ssc: refactor | explain | signature | move | extract_function | extract_variable | inline | names | context | symbol | stats | reindex | restart',
  })
  local group = vim.api.nvim_create_augroup('ssc', { clear = true })
  vim.api.nvim_create_autocmd('LspAttach', {
    group = group,
    callback = function(ev)
      local client = vim.lsp.get_client_by_id(ev.data.client_id)
      if client and client.name == M.client_name then
        M.on_attach(client, ev.buf)
      end
    end,
  })
  vim.api.nvim_create_autocmd('LspProgress', { group = group, callback = on_progress })
  register_command_handlers()
end

--- require('ssc').setup({ settings = { llm = {...} }, inline = true, ... })
--- `settings` go to vim.lsp.config('ssc', { settings = { ssc = settings } }).
function M.setup(opts)
  opts = opts or {}
  local settings = opts.settings
  local lsp = opts.lsp
  opts.settings, opts.lsp = nil, nil
  M.config = vim.tbl_deep_extend('force', M.config, opts)
  M.init()
  if vim.lsp.config then
    local cfg = vim.tbl_deep_extend('force', {}, lsp or {})
    if settings then
      cfg.settings = vim.tbl_deep_extend('force', cfg.settings or {}, { ssc = settings })
    end
    if next(cfg) ~= nil then
      vim.lsp.config(M.client_name, cfg)
    end
    if M.config.enable then
      vim.lsp.enable(M.client_name)
    end
  else
    notify('Neovim 0.11 or newer is needed', vim.log.levels.ERROR)
  end
end

return M
