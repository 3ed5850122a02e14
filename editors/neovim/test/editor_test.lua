-- Headless test of the shipped Neovim integration, set up the way a user sets it up.
-- Usage (repository root; WORKSPACE is a scratch copy of fixtures/editors/workspace):
--   LSP_CMD="$PWD/target/debug/dockward lsp" WORKSPACE=/tmp/ws LSP_EXPECT=fixtures/editors/Dockerfile.fixed \
--   NVIM_SETUP=enable timeout 60 nvim --headless -u NONE -i NONE -c 'luafile editors/neovim/test/editor_test.lua'
-- NVIM_SETUP: `enable` loads editors/neovim/lsp/dockward.lua with vim.lsp.enable (0.11+); `setup` runs
-- require('dockward').setup() from editors/neovim/lua (0.7 and later).
-- Checks: diagnostics arrive on the Dockerfile; the quick fix for `RNU`, picked from the code action menu
-- (vim.ui.select), changes the text; the .dockerignore buffer attaches to the same server, and listing
-- `.env` in it (unsaved) removes the Dockerfile's DW301 diagnostic; a .gitignore buffer gets no client.
-- Exit codes: 0 pass, 1 a check failed, 2 bad setup, 3 no diagnostics in time.
local function log(...) io.stdout:write(table.concat(vim.tbl_map(tostring, { ... }), ' ') .. '\n') end
local cmd = vim.fn.split(os.getenv('LSP_CMD') or '')
local workspace = os.getenv('WORKSPACE')
local how = os.getenv('NVIM_SETUP') or 'enable'
local new_api = vim.fn.has('nvim-0.10') == 1
local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
local failures = 0
local function fail(...)
  log('FAIL:', ...)
  failures = failures + 1
end

local function finish(code)
  for _, c in pairs(get_clients()) do
    if new_api then c:stop() else c.stop() end
  end
  vim.wait(3000, function() return #get_clients() == 0 end, 50)
  vim.cmd(code == 0 and 'qall!' or ('cquit! ' .. code))
end

local function buf_clients(bufnr)
  if vim.lsp.get_clients then return vim.lsp.get_clients({ bufnr = bufnr }) end
  return vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
end

local function code_of(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

local function has_code(bufnr, code, lnum)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if tostring(code_of(d)) == code and (lnum == nil or d.lnum == lnum) then return true end
  end
  return false
end

local function main()
  if #cmd == 0 or not workspace then log('FAIL: set LSP_CMD and WORKSPACE'); return finish(2) end
  local v = vim.version()
  log(string.format('NVIM %d.%d.%d, setup: %s', v.major, v.minor, v.patch, how))

  -- The user's setup: the plugin folder on the runtimepath, filetype detection, then one of the two ways.
  vim.opt.runtimepath:prepend(vim.fn.getcwd() .. '/editors/neovim')
  vim.cmd('filetype on')
  if how == 'enable' then
    if vim.fn.has('nvim-0.11') == 0 then log('FAIL: NVIM_SETUP=enable needs Neovim 0.11'); return finish(2) end
    vim.lsp.config('dockward', { cmd = cmd }) -- merged over editors/neovim/lsp/dockward.lua
    vim.lsp.enable('dockward')
  else
    require('dockward').setup({ cmd = cmd })
  end

  -- 1. Diagnostics arrive on the Dockerfile.
  vim.cmd('edit ' .. vim.fn.fnameescape(workspace .. '/Dockerfile'))
  local docker = vim.api.nvim_get_current_buf()
  log('Dockerfile filetype=' .. vim.bo[docker].filetype)
  local ok = vim.wait(15000, function() return has_code(docker, 'DW002', 2) and has_code(docker, 'DW301') end, 50)
  for _, d in ipairs(vim.diagnostic.get(docker)) do
    log(string.format('DIAG %d:%d %s %s', d.lnum + 1, d.col + 1, tostring(code_of(d)), d.message:match('^[^\n]*')))
  end
  if not ok then log('FAIL: no DW002 on line 3 and DW301 within 15 s'); return finish(3) end
  local attached = buf_clients(docker)
  if #attached ~= 1 or attached[1].name ~= 'dockward' then
    fail('the Dockerfile should have exactly one client named dockward, has ' .. #attached)
  end
  local client = attached[1]

  -- 2. The quick fix, picked from the menu as a user would: cursor on `RNU`, code_action(), choose.
  vim.api.nvim_win_set_cursor(0, { 3, 0 })
  local offered, chosen = {}, nil
  vim.ui.select = function(items, opts, on_choice)
    for i, item in ipairs(items) do
      local title = opts.format_item and opts.format_item(item) or tostring(item)
      table.insert(offered, title)
      if chosen == nil and title:find('RUN', 1, true) and not title:lower():find('ignore', 1, true) then
        chosen = i
      end
    end
    log('MENU ' .. table.concat(offered, ' | '))
    on_choice(chosen and items[chosen] or nil, chosen)
  end
  vim.lsp.buf.code_action()
  if not vim.wait(5000, function() return #offered > 0 end, 50) then fail('no code action menu') end
  if not vim.wait(5000, function()
    return (vim.api.nvim_buf_get_lines(docker, 2, 3, false)[1] or ''):find('^RUN ') ~= nil
  end, 50) then
    fail('line 3 does not start with RUN after the quick fix')
  end
  log('LINE3 after fix: ' .. vim.api.nvim_buf_get_lines(docker, 2, 3, false)[1])
  local want = os.getenv('LSP_EXPECT')
  if want then
    local got = table.concat(vim.api.nvim_buf_get_lines(docker, 0, -1, false), '\n')
    if got ~= table.concat(vim.fn.readfile(want), '\n') then fail('buffer after the fix differs from ' .. want) end
  end
  if not vim.wait(5000, function() return not has_code(docker, 'DW002') end, 50) then
    fail('DW002 is still shown 5 s after the fix')
  end

  -- 3. The .dockerignore buffer joins the same server; editing it re-checks the Dockerfile.
  vim.cmd('edit ' .. vim.fn.fnameescape(workspace .. '/.dockerignore'))
  local ignore = vim.api.nvim_get_current_buf()
  log('.dockerignore filetype=' .. vim.bo[ignore].filetype)
  if not vim.wait(5000, function() return #buf_clients(ignore) > 0 end, 50) then
    fail('no client attached to .dockerignore')
  elseif buf_clients(ignore)[1].id ~= client.id then
    fail('.dockerignore is attached to another client than the Dockerfile')
  end
  vim.api.nvim_buf_set_lines(ignore, -1, -1, false, { '**/.env*' })
  if vim.wait(10000, function() return not has_code(docker, 'DW301') end, 50) then
    log('DW301 gone after listing **/.env* in .dockerignore; ' .. #vim.diagnostic.get(docker) .. ' diagnostics left')
  else
    fail('the Dockerfile still shows DW301 10 s after .dockerignore listed .env')
  end

  -- 4. A .gitignore buffer (filetype gitignore, like .dockerignore on 0.11) gets no dockward client.
  vim.cmd('edit ' .. vim.fn.fnameescape(workspace .. '/.gitignore'))
  local git = vim.api.nvim_get_current_buf()
  vim.wait(500, function() return #buf_clients(git) > 0 end, 50)
  log('.gitignore filetype=' .. vim.bo[git].filetype .. ', clients: ' .. #buf_clients(git))
  if #buf_clients(git) > 0 then fail('dockward attached to .gitignore') end

  -- Nothing was written to disk: the test edits buffers only.
  return finish(failures == 0 and 0 or 1)
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  log('FAIL: Lua error: ' .. tostring(err))
  finish(1)
end
