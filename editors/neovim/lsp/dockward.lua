-- dockward's language server for Neovim 0.11+ (`vim.lsp.config` / `vim.lsp.enable`).
-- Put editors/neovim on the runtimepath (or copy this file to ~/.config/nvim/lsp/dockward.lua), then:
--   vim.lsp.enable('dockward')
-- Override anything with vim.lsp.config('dockward', { cmd = { '/path/to/dockward', 'lsp' }, settings = ... }).
--
-- Filetypes: Neovim gives Dockerfiles `dockerfile` and `.dockerignore` `gitignore` (0.11), and
-- `*.dockerignore` none; ftdetect/dockerignore.vim beside this file names those `dockerignore`.
-- Because `gitignore` also covers .gitignore files, root_dir starts dockward only for Dockerfiles and
-- Docker ignore files.

--- Whether a buffer's file is one dockward reads: a Dockerfile (by filetype) or a Docker ignore file (by name).
local function is_docker_file(bufnr)
  if vim.bo[bufnr].filetype == 'dockerfile' then
    return true
  end
  local name = vim.fs.basename(vim.api.nvim_buf_get_name(bufnr)):lower()
  return name == '.dockerignore' or name == '.containerignore' or name:match('%.dockerignore$') ~= nil
end

---@type vim.lsp.Config
return {
  cmd = { 'dockward', 'lsp' },
  filetypes = { 'dockerfile', 'dockerignore', 'gitignore' },
  root_dir = function(bufnr, on_dir)
    if not is_docker_file(bufnr) then
      return
    end
    local root = vim.fs.root(bufnr, { '.dockward.toml', '.git' })
    on_dir(root or vim.fs.dirname(vim.api.nvim_buf_get_name(bufnr)))
  end,
  -- Neovim pulls diagnostics (0.10+) but cannot be asked to pull again (no workspace/diagnostic/refresh
  -- before 0.12): when a .dockerignore edit or the build-context scan changes a Dockerfile's findings,
  -- only pushed diagnostics reach it. So the server pushes.
  init_options = { diagnosticMode = 'push' },
  -- The `dockward` section the server asks for (workspace/configuration); the same keys as
  -- .dockward.toml in camelCase, e.g. { dockward = { ignore = { 'DW005' }, locale = 'ja' } }.
  settings = { dockward = vim.empty_dict() },
}
