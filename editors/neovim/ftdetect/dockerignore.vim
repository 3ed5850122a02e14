" Docker ignore files that Neovim gives no filetype (`*.dockerignore` everywhere, `.dockerignore` and
" `.containerignore` before 0.10) become `dockerignore`, so that dockward's configurations attach to them.
" `setfiletype` keeps a filetype Neovim already chose (0.11 calls `.dockerignore` `gitignore`).
autocmd BufNewFile,BufRead .dockerignore,*.dockerignore,.containerignore setfiletype dockerignore
