-- dockward's language server for Neovim 0.7 to 0.10 (0.11+ can use lsp/dockward.lua instead):
--   require('dockward').setup()                                   -- `dockward` on PATH
--   require('dockward').setup({ cmd = { '/path/to/dockward', 'lsp' }, settings = { dockward = { locale = 'ja' } } })
-- Starts one server per project root (the nearest folder with .dockward.toml or .git, else the file's
-- folder) for Dockerfiles and Docker ignore files, and attaches every such buffer of that root to it.
local M = {}

local defaults = {
  cmd = { 'dockward', 'lsp' },
  root_markers = { '.dockward.toml', '.git' },
  settings = { dockward = vim.empty_dict() },
  -- Pushed diagnostics: Neovim cannot be asked to pull again when another file changes a Dockerfile's
  -- findings (no workspace/diagnostic/refresh before 0.12).
  init_options = { diagnosticMode = 'push' },
}

--- Whether a buffer's file is one dockward reads: a Dockerfile (by filetype) or a Docker ignore file (by name).
function M.is_docker_file(bufnr)
  if vim.bo[bufnr].filetype == 'dockerfile' then
    return true
  end
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t'):lower()
  return name == '.dockerignore' or name == '.containerignore' or name:match('%.dockerignore$') ~= nil
end

--- The project root of a file: the nearest folder upward holding one of `markers`, else the file's folder.
function M.root_dir(path, markers)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  for _, marker in ipairs(markers) do
    local file = vim.fn.findfile(marker, dir .. ';')
    if file ~= '' then
      return vim.fn.fnamemodify(file, ':p:h')
    end
    local found = vim.fn.finddir(marker, dir .. ';')
    if found ~= '' then
      return vim.fn.fnamemodify(found, ':p:h:h') -- ':p' of a directory ends with '/'
    end
  end
  return dir
end

local clients = {} -- root directory -> client id, on 0.7 (no vim.lsp.start to reuse clients)

local function running(id) -- 0.7's client API: methods are called with `.`
  local c = id and vim.lsp.get_client_by_id(id)
  return c ~= nil and not c.is_stopped()
end

local function attach(bufnr, opts)
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == '' or not M.is_docker_file(bufnr) then
    return
  end
  local root = M.root_dir(path, opts.root_markers)
  local config = {
    name = 'dockward',
    cmd = opts.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    settings = opts.settings,
    init_options = opts.init_options,
    on_attach = opts.on_attach,
    capabilities = opts.capabilities,
  }
  if vim.lsp.start then
    -- 0.8+: starts a client, or reuses the one with the same name and root, and attaches the buffer.
    if not vim.lsp.start(config, { bufnr = bufnr }) then
      vim.notify('dockward: could not start ' .. table.concat(opts.cmd, ' '), vim.log.levels.ERROR)
    end
    return
  end
  local id = clients[root]
  if not running(id) then
    id = vim.lsp.start_client(config)
    if id == nil then
      vim.notify('dockward: could not start ' .. table.concat(opts.cmd, ' '), vim.log.levels.ERROR)
      return
    end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

function M.setup(user)
  local opts = vim.tbl_deep_extend('force', defaults, user or {})
  local group = vim.api.nvim_create_augroup('dockward', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = { 'dockerfile', 'dockerignore', 'gitignore' },
    callback = function(args)
      attach(args.buf, opts)
    end,
  })
  -- Buffers opened before setup() ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      attach(bufnr, opts)
    end
  end
end

return M
