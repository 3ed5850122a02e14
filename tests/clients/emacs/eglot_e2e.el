;;; eglot_e2e.el --- batch end-to-end check of dockward with eglot  -*- lexical-binding: t; -*-
;; Loads the shipped eglot configuration, editors/emacs/dockward.el, with the command set to LSP_CMD.
;; Usage (repository root):
;;   LSP_CMD="$PWD/target/debug/dockward lsp" LSP_FILE=fixtures/lsp/basic/Dockerfile \
;;   LSP_EXPECT=fixtures/lsp/basic/Dockerfile.fixed \
;;     timeout 60 emacs -Q --batch -l tests/clients/emacs/eglot_e2e.el
;; LSP_EXPECT: optional file holding the expected text after the first quick fix.
;; LSP_EXPECT_CODES: optional comma-separated rule codes the server must report, in position order.
;; Checked with Debian bookworm's emacs-nox 28.2 and elpa-eglot 1.9 (push diagnostics, UTF-16 columns).
;; Exit codes: 0 pass, 1 a check failed, 2 bad setup, 3 no diagnostics in time.
;; -Q skips Debian's site-start, which is what normally puts the packaged ELPA directory on the load path.
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
;; The fixture is edited in its buffer only: leave no lock, backup or auto-save file beside it, even
;; when `timeout' ends Emacs.
(setq create-lockfiles nil make-backup-files nil auto-save-default nil)
(require 'eglot)
(require 'flymake)
(require 'cl-lib)
(defun out (fmt &rest args) (princ (concat (apply #'format fmt args) "\n")))
(defvar lsp-cmd (split-string (or (getenv "LSP_CMD") "")))
(defvar expect-file (and (getenv "LSP_EXPECT") (expand-file-name (getenv "LSP_EXPECT"))))
(defvar failures 0)
(defun fail (fmt &rest args)
  (out "FAIL: %s" (apply #'format fmt args))
  (setq failures (1+ failures)))
(unless lsp-cmd (out "FAIL: set LSP_CMD") (kill-emacs 2))
;; Emacs 28 has no Dockerfile mode; a trivial one makes eglot send languageId "dockerfile".
(unless (fboundp 'dockerfile-mode)
  (define-derived-mode dockerfile-mode prog-mode "Dockerfile"))
;; The shipped configuration, as users load it; only the command is pointed at the build under test.
(load (expand-file-name "editors/emacs/dockward.el") nil t)
(setq dockward-server-command lsp-cmd)
(unless (eq (cdr (assoc 'dockerfile-mode eglot-server-programs
                        (lambda (modes key) (memq key (if (listp modes) modes (list modes))))))
            #'dockward--contact)
  (out "FAIL: editors/emacs/dockward.el did not put dockward first for dockerfile-mode") (kill-emacs 2))
(unless (eq (assoc-default "/x/.dockerignore" auto-mode-alist #'string-match) 'dockerignore-mode)
  (fail "editors/emacs/dockward.el does not give .dockerignore files dockerignore-mode"))
(defun wait-until (pred secs)
  "Pump process output until PRED is true or SECS have passed; batch mode needs this loop."
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))
(defun diags-sorted ()
  (sort (flymake-diagnostics) (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))
(defun diag-code (d)
  "The rule code of flymake diagnostic D, from the LSP diagnostic eglot keeps in its data."
  (plist-get (cdr (assoc 'eglot-lsp-diag (eglot--diag-data d))) :code))

(condition-case err
    (progn
      (find-file (expand-file-name (or (getenv "LSP_FILE") "Dockerfile")))
      (dockerfile-mode)
      (call-interactively #'eglot)          ; no prompt: the mode is in eglot-server-programs
      (unless (wait-until #'eglot-current-server 10) (out "FAIL: no server") (kill-emacs 2))
      (let ((server (eglot-current-server)))
        (out "server: %s %s" (plist-get (eglot--server-info server) :name)
             (plist-get (eglot--server-info server) :version))
        (unless (equal (plist-get (eglot--server-info server) :name) "dockward")
          (fail "serverInfo.name is not dockward"))
        (unless (wait-until #'flymake-diagnostics 10) (out "FAIL: no diagnostics") (kill-emacs 3))
        (dolist (d (diags-sorted))
          (out "DIAG %d:%d %s %s: %s" (line-number-at-pos (flymake-diagnostic-beg d))
               (save-excursion (goto-char (flymake-diagnostic-beg d)) (1+ (current-column)))
               (flymake-diagnostic-type d) (diag-code d)
               (car (split-string (flymake-diagnostic-text d) "\n"))))
        (let ((codes (mapconcat (lambda (d) (format "%s" (diag-code d))) (diags-sorted) ","))
              (want (getenv "LSP_EXPECT_CODES")))
          (out "CODES %s" codes)
          (when (and want (not (equal want codes))) (fail "codes %s, expected %s" codes want)))
        ;; The diagnostic after the emoji covers exactly `netwrok' (eglot 1.9 counts UTF-16 columns).
        (dolist (d (flymake-diagnostics))
          (when (string-match-p "--netwrok" (flymake-diagnostic-text d))
            (let ((word (buffer-substring (flymake-diagnostic-beg d) (flymake-diagnostic-end d))))
              (out "UNDER THE EMOJI-LINE DIAGNOSTIC: %s" word)
              (unless (equal word "netwrok") (fail "the diagnostic after the emoji covers %S" word)))))
        ;; Code actions on the first diagnostic's line; apply the first one that carries an edit.
        (let* ((first (car (diags-sorted)))
               (first-text (flymake-diagnostic-text first))
               (line (line-number-at-pos (flymake-diagnostic-beg first)))
               (beg (save-excursion (goto-char (flymake-diagnostic-beg first)) (line-beginning-position)))
               (end (save-excursion (goto-char beg) (line-end-position)))
               (actions (eglot-code-actions beg end))
               (edit (cl-some (lambda (a) (plist-get a :edit)) actions)))
          (dolist (a actions) (out "ACTION line %d: %s" line (plist-get a :title)))
          (if (not edit)
              (fail "no code action with an edit")
            (eglot--apply-workspace-edit edit)   ; what picking the action in the menu does
            (out "LINE%d after fix: %s" line
                 (save-excursion (goto-char (point-min)) (forward-line (1- line))
                                 (buffer-substring (point) (line-end-position))))
            (let ((want expect-file))
              (when want
                (let ((expected (with-temp-buffer (insert-file-contents want) (buffer-string))))
                  (unless (equal (buffer-string) expected)
                    (fail "buffer after the fix differs from %s" want)))))
            ;; eglot sends the change from an idle timer, and batch mode is never idle: send it now.
            ;; The server then pushes new diagnostics without the fixed one.
            (eglot--signal-textDocument/didChange)
            (unless (wait-until
                     (lambda ()
                       (and (flymake-diagnostics)
                            (not (cl-some (lambda (d) (equal (flymake-diagnostic-text d) first-text))
                                          (flymake-diagnostics)))))
                     10)
              (fail "the fixed diagnostic is still shown 10 s after the edit"))
            (out "AFTER FIX %d diagnostics" (length (flymake-diagnostics)))))
        ;; shutdown must be answered (an error reply would land in the condition-case below); eglot
        ;; 1.9 deletes the process right after sending exit, so its exit status says nothing.
        (eglot-shutdown server)
        (out "shutdown answered")
        (kill-emacs (if (zerop failures) 0 1))))
  (error (out "FAIL: Lisp error: %S" err) (kill-emacs 1)))
