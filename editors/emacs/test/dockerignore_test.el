;;; dockerignore_test.el --- batch test: a .dockerignore edit re-checks the Dockerfile  -*- lexical-binding: t; -*-
;; Loads the shipped editors/emacs/dockward.el as a user does, on a scratch copy of
;; fixtures/editors/workspace, with the command set to LSP_CMD.
;; Usage (repository root):
;;   LSP_CMD="$PWD/target/debug/dockward lsp" WORKSPACE=/tmp/ws timeout 60 emacs -Q --batch -l editors/emacs/test/dockerignore_test.el
;; Checks: the Dockerfile shows DW301 (its context carries .env); .dockerignore opens in
;; `dockerignore-mode' and joins the same server; listing **/.env* in it, unsaved, removes DW301.
;; Exit codes: 0 pass, 1 a check failed, 2 bad setup, 3 no diagnostics in time.
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
(setq create-lockfiles nil make-backup-files nil auto-save-default nil)
(require 'cl-lib)
(defun out (fmt &rest args) (princ (concat (apply #'format fmt args) "\n")))
(defvar lsp-cmd (split-string (or (getenv "LSP_CMD") "")))
(defvar workspace (getenv "WORKSPACE"))
(unless (and lsp-cmd workspace) (out "FAIL: set LSP_CMD and WORKSPACE") (kill-emacs 2))
;; Emacs 28 has no Dockerfile mode; the users' dockerfile-mode package is stood in for by a trivial one.
(unless (fboundp 'dockerfile-mode)
  (define-derived-mode dockerfile-mode prog-mode "Dockerfile"))
(load (expand-file-name "editors/emacs/dockward.el") nil t)
(setq dockward-server-command lsp-cmd)
(defun wait-until (pred secs)
  "Pump process output until PRED is true or SECS have passed; batch mode needs this loop."
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))
(defun codes (buffer)
  (with-current-buffer buffer
    (mapcar (lambda (d) (plist-get (cdr (assoc 'eglot-lsp-diag (eglot--diag-data d))) :code))
            (flymake-diagnostics))))

(condition-case err
    (let (docker ignore server)
      (setq docker (find-file (expand-file-name "Dockerfile" workspace)))
      (dockerfile-mode)
      (call-interactively #'eglot)
      (setq server (and (wait-until #'eglot-current-server 10) (eglot-current-server)))
      (unless server (out "FAIL: no server") (kill-emacs 2))
      (unless (wait-until (lambda () (member "DW301" (codes docker))) 15)
        (out "FAIL: no DW301 on the Dockerfile; codes %S" (codes docker)) (kill-emacs 3))
      (out "Dockerfile codes: %S" (codes docker))
      (setq ignore (find-file (expand-file-name ".dockerignore" workspace)))
      (out ".dockerignore mode: %s" major-mode)
      (unless (eq major-mode 'dockerignore-mode)
        (out "FAIL: .dockerignore is in %s, not dockerignore-mode" major-mode) (kill-emacs 1))
      (unless (wait-until (lambda () (eq (eglot-current-server) server)) 10)
        (out "FAIL: .dockerignore did not join the Dockerfile's server") (kill-emacs 1))
      (goto-char (point-max))
      (insert "**/.env*\n")
      ;; eglot sends changes from an idle timer, and batch mode is never idle: send it now.
      (eglot--signal-textDocument/didChange)
      (if (wait-until (lambda () (not (member "DW301" (codes docker)))) 10)
          (out "DW301 gone after listing **/.env* in .dockerignore; codes now %S" (codes docker))
        (out "FAIL: the Dockerfile still shows DW301 10 s after the .dockerignore edit")
        (kill-emacs 1))
      (eglot-shutdown server)
      (kill-emacs 0))
  (error (out "FAIL: Lisp error: %S" err) (kill-emacs 1)))
