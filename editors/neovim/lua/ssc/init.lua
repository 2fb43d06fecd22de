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
}

local SERVER_COMMANDS = {
  reindex = 'ssc.reindex',
  show_context = 'ssc.showContext',
  refactor = 'ssc.refactor',
  explain = 'ssc.explain',
  accept = 'ssc.acceptCompletion',
}

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
function M.show_markdown(markdown, focus_id)
  local lines = vim.split(markdown ~= '' and markdown or '_(empty)_', '\n', { plain = true })
  local opts = vim.tbl_extend('force', M.config.float, { focus_id = 'ssc_' .. focus_id })
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

-- Commands -------------------------------------------------------------------

--- :Ssc refactor [instruction] — on the range (visual selection) or the cursor line.
function M.refactor(opts)
  opts = opts or {}
  local bufnr = vim.api.nvim_get_current_buf()
  local client = M.client(bufnr)
  if not client then
    return
  end
  local line1 = opts.line1 or vim.api.nvim_win_get_cursor(0)[1]
  local line2 = opts.line2 or line1
  local params = range_params(client, bufnr, line1, line2, (opts.range or 0) > 0)
  local function run(instruction)
    if not instruction or vim.trim(instruction) == '' then
      return
    end
    execute(client, SERVER_COMMANDS.refactor, { params.textDocument.uri, params.range, vim.trim(instruction) }, bufnr, function(result)
      apply_refactor_result(client, result)
    end)
  end
  if not M.server_has_command(client, SERVER_COMMANDS.refactor) then
    return execute_offered(client, 'refactor', SERVER_COMMANDS.refactor, {}, bufnr)
  end
  if opts.instruction and opts.instruction ~= '' then
    run(opts.instruction)
  else
    vim.ui.input({ prompt = 'ssc refactor: ' }, run)
  end
end

--- :Ssc explain — explanation of the range or cursor line, in a float.
function M.explain(opts)
  opts = opts or {}
  local bufnr = vim.api.nvim_get_current_buf()
  local client = M.client(bufnr)
  if not client then
    return
  end
  local line1 = opts.line1 or vim.api.nvim_win_get_cursor(0)[1]
  local params = range_params(client, bufnr, line1, opts.line2 or line1, (opts.range or 0) > 0)
  execute_offered(client, 'explain', SERVER_COMMANDS.explain, { params.textDocument.uri, params.range }, bufnr, function(result)
    M.show_markdown(markdown_from_result(result) or pretty(result), 'explain')
  end)
end

--- :Ssc context — the context the model would get at the cursor (ssc/context), in a float.
function M.context(opts)
  opts = opts or {}
  local bufnr = vim.api.nvim_get_current_buf()
  local client = M.client(bufnr)
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
  local bufnr = vim.api.nvim_get_current_buf()
  local client = M.client(bufnr)
  if not client then
    return
  end
  request(client, 'ssc/symbol', position_params(client, bufnr), bufnr, function(result)
    M.show_markdown('# ssc symbol\n\n```lua\n' .. pretty(result) .. '\n```', 'symbol')
  end)
end

--- :Ssc stats — map statistics (ssc/stats).
function M.stats()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = M.client(bufnr)
  if not client then
    return
  end
  request(client, 'ssc/stats', vim.empty_dict(), bufnr, function(result)
    M.show_markdown('# ssc map statistics\n\n```lua\n' .. pretty(result) .. '\n```', 'stats')
  end)
end

--- :Ssc reindex — rebuild the symbolic map.
function M.reindex()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = M.client(bufnr)
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
  vim.lsp.commands[SERVER_COMMANDS.refactor] = function(command, ctx)
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    if not client then
      return
    end
    local args = vim.deepcopy(command.arguments or {})
    local function run(instruction)
      if not instruction or vim.trim(instruction) == '' then
        return
      end
      args[3] = vim.trim(instruction)
      execute(client, command.command, args, ctx.bufnr, function(result)
        apply_refactor_result(client, result)
      end)
    end
    if type(args[3]) == 'string' and args[3] ~= '' then
      run(args[3])
    else
      vim.ui.input({ prompt = 'ssc refactor: ' }, run)
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
M.needs_server_command = { refactor = SERVER_COMMANDS.refactor, explain = SERVER_COMMANDS.explain }

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
    desc = 'ssc: refactor | explain | context | symbol | stats | reindex | restart',
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
