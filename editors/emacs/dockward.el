;;; dockward.el --- dockward's language server in Emacs, through eglot  -*- lexical-binding: t; -*-

;; Usage: (load "/path/to/dockward/editors/emacs/dockward.el")
;; Needs eglot (built in from Emacs 29; the `eglot' package, or Debian's elpa-eglot, on Emacs 28) and a
;; Dockerfile major mode: `dockerfile-mode' (package dockerfile-mode) or Emacs 29's `dockerfile-ts-mode'.
;; Docker ignore files (.dockerignore, *.dockerignore, .containerignore) get `dockerignore-mode' unless
;; another package defines it, and join the same server, which re-checks the Dockerfiles they govern.

;;; Code:

(require 'eglot)

(defgroup dockward nil
  "Dockerfile security checks with the dockward language server."
  :group 'tools
  :prefix "dockward-")

(defcustom dockward-server-command '("dockward" "lsp")
  "The command that starts dockward's language server on stdio (program and arguments)."
  :type '(repeat string))

(defcustom dockward-auto-start t
  "Non-nil: start dockward (`eglot-ensure') when a Dockerfile or Docker ignore file is opened."
  :type 'boolean)

(defconst dockward-modes '(dockerfile-mode dockerfile-ts-mode dockerignore-mode)
  "Major modes served by dockward; one server per project serves all of them.")

(unless (fboundp 'dockerignore-mode)
  (define-derived-mode dockerignore-mode conf-unix-mode "dockerignore"
    "Major mode for Docker ignore files: patterns, one per line, and # comments."))

(add-to-list 'auto-mode-alist
             '("\\(?:\\`\\|/\\)\\(?:\\.dockerignore\\|[^/]+\\.dockerignore\\|\\.containerignore\\)\\'"
               . dockerignore-mode))

(defun dockward--contact (&optional _interactive)
  "The server command, read when eglot starts a server, so that changes to it apply to new servers."
  dockward-server-command)

;; Ahead of eglot's own Dockerfile entry (docker-langserver): the first matching entry wins.
(add-to-list 'eglot-server-programs (cons dockward-modes #'dockward--contact))

(defun dockward--maybe-start ()
  "Start or join dockward's server for this buffer when `dockward-auto-start' is on."
  (when (and dockward-auto-start buffer-file-name)
    (eglot-ensure)))

(dolist (mode dockward-modes)
  (add-hook (intern (format "%s-hook" mode)) #'dockward--maybe-start))

;; Settings the server asks for (workspace/configuration, section "dockward"): the keys of
;; .dockward.toml in camelCase.  For example, in a project's .dir-locals.el:
;;   ((nil . ((eglot-workspace-configuration . (:dockward (:ignore ["DW005"] :locale "ja"))))))

(provide 'dockward)
;;; dockward.el ends here
