-- Headless Neovim (0.7.2 and later) end-to-end check of dockward's language server.
-- Usage (repository root):
--   LSP_CMD="$PWD/target/debug/dockward lsp" LSP_FILE=fixtures/lsp/basic/Dockerfile \
--   LSP_EXPECT=fixtures/lsp/basic/Dockerfile.fixed \
--     timeout 60 nvim --headless -u NONE -i NONE -c 'luafile tests/clients/neovim/nvim_e2e.lua'
-- LSP_FILE: the Dockerfile to open (default ./Dockerfile).
-- LSP_EXPECT: optional file holding the expected text after the first quick fix.
-- LSP_EXPECT_CODES: optional comma-separated rule codes the server must report, in its order.
-- Works with push diagnostics (0.7.2: no `textDocument.diagnostic` capability) and with pull
-- diagnostics (0.11: Neovim advertises it, dockward then offers `diagnosticProvider` and Neovim pulls).
-- Exit codes: 0 pass, 1 a check failed, 2 bad setup, 3 no diagnostics in time.
local cmd = vim.fn.split(os.getenv('LSP_CMD') or '')
local file = vim.fn.fnamemodify(os.getenv('LSP_FILE') or 'Dockerfile', ':p')
local function log(...) io.stdout:write(table.concat(vim.tbl_map(tostring, { ... }), ' ') .. '\n') end
local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients -- 0.10+ / 0.7-0.9
local new_api = vim.fn.has('nvim-0.10') == 1 -- client:stop() instead of client.stop()
local exit_code = nil -- the server's, from on_exit

local function finish(code)
  for _, c in pairs(get_clients()) do
    if new_api then c:stop() else c.stop() end
  end
  vim.wait(3000, function() return #get_clients() == 0 and exit_code ~= nil end, 50)
  if code == 0 and exit_code ~= 0 then
    log('FAIL: the server exited with ' .. tostring(exit_code) .. ' after shutdown and exit')
    code = 1
  end
  vim.cmd(code == 0 and 'qall!' or ('cquit! ' .. code))
end

local function main()
  if #cmd == 0 then log('FAIL: set LSP_CMD'); return finish(2) end
  if vim.fn.filereadable(file) == 0 then log('FAIL: no file ' .. file); return finish(2) end

  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  vim.bo.filetype = 'dockerfile' -- -u NONE loads no filetype detection; this becomes the languageId
  local bufnr = vim.api.nvim_get_current_buf()
  local original = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)

  local received = nil -- the diagnostics exactly as the server sent them, pushed or pulled
  local mode = nil
  local client_id = vim.lsp.start_client({ -- deprecated in 0.11 but still works; vim.lsp.start is 0.8+
    name = 'dockward-under-test',
    cmd = cmd,
    root_dir = vim.fn.fnamemodify(file, ':h'),
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        received, mode = result.diagnostics, 'push'
        return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      end,
      -- Neovim 0.10+ sends textDocument/diagnostic itself when the server has a diagnosticProvider.
      ['textDocument/diagnostic'] = function(err, result, ctx, config)
        if result and result.kind == 'full' then received, mode = result.items, 'pull' end
        return vim.lsp.diagnostic.on_diagnostic(err, result, ctx, config)
      end,
    },
    on_exit = function(code, signal)
      exit_code = code
      log('server exited', code, signal)
    end,
  })
  if not client_id then log('FAIL: could not start ' .. table.concat(cmd, ' ')); return finish(2) end
  vim.lsp.buf_attach_client(bufnr, client_id)

  local ok = vim.wait(10000, function() return received ~= nil and #vim.diagnostic.get(bufnr) > 0 end, 50)
  if not ok then log('FAIL: no diagnostics within 10 s'); return finish(3) end

  local client = vim.lsp.get_client_by_id(client_id)
  local v = vim.version()
  local caps = client.server_capabilities
  log(string.format('NVIM %d.%d.%d', v.major, v.minor, v.patch), 'mode:', mode,
    'positionEncoding:', tostring(caps.positionEncoding), 'offset_encoding:', client.offset_encoding,
    'diagnosticProvider:', tostring(caps.diagnosticProvider ~= nil))
  local failures = 0
  local function fail(...) log('FAIL:', ...); failures = failures + 1 end

  if (mode == 'pull') ~= (caps.diagnosticProvider ~= nil) then
    fail('diagnostics came by ' .. mode .. ' but diagnosticProvider is ' .. tostring(caps.diagnosticProvider ~= nil))
  end
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    log(string.format('DIAG %d:%d-%d:%d sev=%d %s', d.lnum + 1, d.col + 1, d.end_lnum + 1, d.end_col + 1, d.severity, d.message))
  end
  local codes = table.concat(vim.tbl_map(function(d) return tostring(d.code) end, received), ',')
  log('CODES ' .. codes)
  local want_codes = os.getenv('LSP_EXPECT_CODES')
  if want_codes and want_codes ~= codes then fail('codes ' .. codes .. ', expected ' .. want_codes) end

  -- A diagnostic after an emoji: Neovim's byte column must point at the same text as the server's range
  -- (the server's range is in the negotiated encoding, UTF-16 for 0.7.2 and UTF-8 for 0.11).
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local line = original[d.lnum + 1]
    if line:find('🐳', 1, true) and d.message:find('--netwrok', 1, true) then
      local word = line:sub(d.col + 1, d.end_col)
      log('UNDER THE EMOJI-LINE DIAGNOSTIC: ' .. word)
      if word ~= 'netwrok' then fail('the diagnostic after the emoji covers "' .. word .. '", not "netwrok"') end
    end
  end

  -- Hover on the first diagnostic shows its rule.
  local first = received[1]
  local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = first.range.start,
  }, 5000)
  local hover_text = nil
  for _, r in pairs(hover or {}) do
    if r.result and r.result.contents then hover_text = r.result.contents.value end
  end
  log('HOVER ' .. tostring(hover_text and hover_text:match('^[^\n]*')))
  if not (hover_text and hover_text:find('**' .. tostring(first.code), 1, true) == 1) then
    fail('hover on the first diagnostic does not start with its rule code')
  end

  -- Ask for code actions on every diagnostic, passing that diagnostic as context.
  local first_edit = nil
  for _, d in ipairs(received) do
    local resp, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      range = d.range,
      context = { diagnostics = { d } },
    }, 5000)
    if not resp then fail('codeAction request: ' .. tostring(err)) end
    for _, r in pairs(resp or {}) do
      if r.error then fail('codeAction error ' .. vim.inspect(r.error)) end
      for _, a in ipairs(r.result or {}) do
        log(string.format('ACTION line %d: %s', d.range.start.line + 1, a.title))
        first_edit = first_edit or a.edit
      end
    end
  end

  -- Apply the first action that carries an edit, as picking it in the menu does.
  if first_edit then
    vim.lsp.util.apply_workspace_edit(first_edit, client.offset_encoding)
    local lnum = first.range.start.line
    log(string.format('LINE%d after fix: %s', lnum + 1, vim.api.nvim_buf_get_lines(bufnr, lnum, lnum + 1, false)[1]))
    local want = os.getenv('LSP_EXPECT')
    if want then
      local got = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
      if got ~= table.concat(vim.fn.readfile(want), '\n') then fail('buffer after the fix differs from ' .. want) end
    end
    -- The edit reaches the server as a didChange; the fixed diagnostic goes away (pushed or re-pulled).
    local gone = vim.wait(5000, function()
      for _, d in ipairs(vim.diagnostic.get(bufnr)) do
        if d.lnum == lnum and d.message == first.message then return false end
      end
      return #vim.diagnostic.get(bufnr) > 0
    end, 50)
    if gone then
      log('AFTER FIX ' .. #vim.diagnostic.get(bufnr) .. ' diagnostics')
    else
      fail('the fixed diagnostic is still shown 5 s after the edit')
    end
  else
    fail('no code action with an edit')
  end

  return finish(failures == 0 and 0 or 1)
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  log('FAIL: Lua error: ' .. tostring(err))
  finish(1)
end
