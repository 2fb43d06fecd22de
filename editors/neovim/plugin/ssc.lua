-- ssc.nvim: defines :Ssc and the LspAttach hooks. The server itself is enabled
-- with vim.lsp.enable('ssc') (lsp/ssc.lua) or require('ssc').setup().
if vim.g.loaded_ssc then
  return
end
vim.g.loaded_ssc = true

if vim.fn.has('nvim-0.11') == 0 then
  vim.notify('ssc: Neovim 0.11 or newer is needed', vim.log.levels.WARN)
  return
end

require('ssc').init()
