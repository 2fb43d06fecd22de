-- ssc-lsp for Neovim 0.11+ (vim.lsp.config / vim.lsp.enable).
--
-- Put this directory on 'runtimepath' (or copy this file to ~/.config/nvim/lsp/ssc.lua),
-- then in init.lua:
--
--   vim.lsp.config('ssc', { settings = { ssc = { llm = { provider = 'openai', baseUrl = 'http://127.0.0.1:8080/v1' } } } })
--   vim.lsp.enable('ssc')
--
-- `settings.ssc` is sent both as initializationOptions and as the answer to
-- workspace/configuration for section "ssc" (camelCase keys, as in VS Code's ssc.*).

--- An empty Lua table encodes as a JSON array; the server wants an object.
local function as_object(value)
  if type(value) == 'table' and next(value) == nil then
    return vim.empty_dict()
  end
  return value
end

---@type vim.lsp.Config
return {
  cmd = { 'ssc-lsp' },
  -- The languages the server maps (server/ssc_lsp/map/languages/). The refactor commands are
  -- Python's; definition, hover, references, rename, symbols, :Ssc context and completion serve all.
  filetypes = { 'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'go', 'rust', 'java' },
  root_markers = {
    'pyproject.toml',
    'setup.py',
    'go.mod',
    'Cargo.toml',
    'package.json',
    'tsconfig.json',
    'pom.xml',
    'build.gradle',
    'build.gradle.kts',
    '.git',
  },
  settings = { ssc = vim.empty_dict() },

  before_init = function(params, config)
    params.initializationOptions = as_object(vim.tbl_get(config, 'settings', 'ssc') or {})
  end,

  handlers = {
    -- Like the default handler, but "ssc" is always an object, never [] or null.
    ['workspace/configuration'] = function(err, params, ctx)
      local client = vim.lsp.get_client_by_id(ctx.client_id)
      if err or not client then
        return vim.lsp.handlers['workspace/configuration'](err, params, ctx)
      end
      local result = {}
      for i, item in ipairs(params.items or {}) do
        local section = item.section
        local value = vim.NIL
        if section == nil or section == '' then
          value = as_object(client.settings or {})
        else
          local node = client.settings or {}
          for part in vim.gsplit(section, '.', { plain = true }) do
            node = type(node) == 'table' and node[part] or nil
            if node == nil then
              break
            end
          end
          if node ~= nil then
            value = as_object(node)
          elseif section == 'ssc' then
            value = vim.empty_dict()
          end
        end
        result[i] = value
      end
      return result
    end,
  },
}
