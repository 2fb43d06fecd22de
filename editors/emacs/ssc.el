;;; ssc.el --- ssc-lsp (LLM pair programmer on a symbolic map) via eglot  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: languages, tools, convenience
;; SPDX-License-Identifier: MIT

;;; Commentary:

;; Registers `ssc-lsp' as the eglot server for Python buffers and adds
;; commands for the server's custom requests:
;;
;;   (add-to-list 'load-path "/path/to/ssc-lsp/editors/emacs")
;;   (require 'ssc)
;;   (ssc-setup)                         ; once: eglot-server-programs + settings
;;   ;; then M-x eglot in a Python buffer (or add `eglot-ensure' to python-mode-hook)
;;
;; Commands: `ssc-context', `ssc-explain', `ssc-refactor', `ssc-symbol',
;; `ssc-stats', `ssc-reindex'.
;;
;; `ssc-settings' is sent as initializationOptions and as the answer to
;; workspace/configuration for section "ssc".  It is a plist with the server's
;; camelCase keys; use :json-false for false and vectors for arrays, e.g.
;;
;;   (setq ssc-settings
;;         '(:llm (:provider "openai" :baseUrl "http://127.0.0.1:8080/v1"
;;                 :model "qwen2.5-coder-1.5b")
;;           :completion (:inline t :list t)
;;           :map (:exclude ["build/**"])
;;           :feedback (:enabled :json-false)))

;;; Code:

(require 'eglot)
(require 'jsonrpc)
(require 'subr-x)
(require 'seq)

(defgroup ssc nil
  "Client settings for the ssc-lsp language server."
  :group 'tools
  :prefix "ssc-")

(defcustom ssc-server-command '("ssc-lsp")
  "Command line that starts the server (stdio).
For a virtualenv: (\"/path/.venv/bin/ssc-lsp\"), or (\"python3\" \"-m\" \"ssc_lsp\")."
  :type '(repeat string))

(defcustom ssc-settings '(:llm (:provider "auto"))
  "Server settings: a plist with the server's camelCase keys.
See docs/editors.md for the keys.  Sent as initializationOptions and for
workspace/configuration section \"ssc\"."
  :type 'plist)

(defcustom ssc-major-modes '(python-mode python-ts-mode)
  "Major modes in which eglot starts ssc-lsp."
  :type '(repeat symbol))

(defun ssc--settings ()
  "`ssc-settings', never nil (the server wants an object)."
  (or ssc-settings (make-hash-table)))

(defun ssc--contact (&optional _interactive &rest _)
  "Eglot contact for ssc-lsp."
  (append ssc-server-command
          (list :initializationOptions (lambda (_server) (ssc--settings)))))

(defun ssc--workspace-configuration (&optional _server)
  "The value of `eglot-workspace-configuration' for ssc (section \"ssc\")."
  (list :ssc (ssc--settings)))

;;;###autoload
(defun ssc-setup ()
  "Register ssc-lsp with eglot and serve `ssc-settings' to it.
Sets the default `eglot-workspace-configuration' unless it already has a value;
then add (list :ssc ssc-settings) to yours."
  (interactive)
  (add-to-list 'eglot-server-programs (cons ssc-major-modes #'ssc--contact))
  (when (null (default-value 'eglot-workspace-configuration))
    (setq-default eglot-workspace-configuration #'ssc--workspace-configuration)))

;;; Requests

(defun ssc--server ()
  "The eglot server of this buffer, or an error."
  (eglot--current-server-or-lose))

(defun ssc--position-params ()
  "TextDocumentPositionParams of point."
  (eglot--TextDocumentPositionParams))

(defun ssc--range (beg end)
  "The LSP range of BEG..END."
  (list :start (eglot--pos-to-lsp-position beg)
        :end (eglot--pos-to-lsp-position end)))

(defun ssc--region ()
  "The active region, else the current line, as (BEG . END)."
  (if (use-region-p)
      (cons (region-beginning) (region-end))
    (cons (line-beginning-position) (line-end-position))))

(defun ssc--uri ()
  "The URI of the current buffer."
  (plist-get (eglot--TextDocumentIdentifier) :uri))

(defun ssc--execute (command &rest arguments)
  "Run server COMMAND with ARGUMENTS (workspace/executeCommand); return its result."
  (jsonrpc-request (ssc--server) :workspace/executeCommand
                   (list :command command :arguments (vconcat arguments))))

(defun ssc--offers (command)
  "Non-nil when the server lists COMMAND in its executeCommandProvider."
  (let* ((caps (eglot--capabilities (ssc--server)))
         (commands (plist-get (plist-get caps :executeCommandProvider) :commands)))
    (seq-contains-p commands command #'equal)))

(defun ssc--require-offered (command what)
  "Signal a clear `user-error' unless the server offers COMMAND (WHAT is its name)."
  (unless (ssc--offers command)
    (let ((info (eglot--server-info (ssc--server))))
      (user-error "ssc: %s is not available in this server version (%s %s does not offer %s)"
                  what (or (plist-get info :name) "the server")
                  (or (plist-get info :version) "") command))))

(defun ssc--markdown-of (result)
  "Markdown text in RESULT.
RESULT is a string or a plist with :markdown, :value or :contents."
  (cond ((stringp result) result)
        ((listp result)
         (or (plist-get result :markdown)
             (plist-get result :value)
             (let ((c (plist-get result :contents)))
               (if (stringp c) c (plist-get c :value)))))))

(defun ssc--show (name text)
  "Show TEXT (markdown) in buffer *ssc NAME*."
  (let ((buf (get-buffer-create (format "*ssc %s*" name))))
    (with-current-buffer buf
      (let ((inhibit-read-only t))
        (erase-buffer)
        (insert (or text "(empty)"))
        (goto-char (point-min)))
      (cond ((fboundp 'gfm-view-mode) (gfm-view-mode))
            ((fboundp 'markdown-view-mode) (markdown-view-mode))
            (t (special-mode))))
    (display-buffer buf)
    buf))

(defun ssc--context-markdown (result)
  "Markdown for an ssc/context RESULT (or the string ssc.showContext returns).
Items have 0-based inclusive :start_line and :end_line and :why, a list of reasons."
  (let ((md (if (stringp result) result (plist-get result :markdown))))
    (if (and (stringp md) (not (string-empty-p md)))
        md
      (mapconcat
       (lambda (it)
         (let ((first (or (plist-get it :start_line) (plist-get it :startLine)))
               (last (or (plist-get it :end_line) (plist-get it :endLine)))
               (why (plist-get it :why)))
           (format "## %s:%s-%s %s\n%s\n```python\n%s\n```\n"
                   (plist-get it :path)
                   (if (numberp first) (1+ first) "?") (if (numberp last) (1+ last) "?")
                   (or (plist-get it :kind) "")
                   (if (stringp why) why (mapconcat #'identity (append why nil) "; "))
                   (or (plist-get it :text) ""))))
       (plist-get result :items) "\n"))))

;;;###autoload
(defun ssc-context (&optional budget)
  "Show the context the model would get at point (ssc/context).
With a prefix argument, ask for the budget in characters."
  (interactive (list (when current-prefix-arg (read-number "Budget (chars): " 6000))))
  (let* ((params (ssc--position-params))
         (params (if budget (append params (list :budgetChars budget)) params)))
    (ssc--show "context" (ssc--context-markdown
                          (jsonrpc-request (ssc--server) :ssc/context params)))))

;;;###autoload
(defun ssc-symbol ()
  "Show the symbol at point with its relations and history (ssc/symbol)."
  (interactive)
  (let ((result (jsonrpc-request (ssc--server) :ssc/symbol (ssc--position-params))))
    (ssc--show "symbol" (format "```json\n%s\n```\n" (ssc--json result)))))

;;;###autoload
(defun ssc-stats ()
  "Show the statistics of the symbolic map (ssc/stats)."
  (interactive)
  (let ((result (jsonrpc-request (ssc--server) :ssc/stats (make-hash-table))))
    (ssc--show "stats" (format "```json\n%s\n```\n" (ssc--json result)))))

(defun ssc--json (value)
  "VALUE (as jsonrpc decoded it) as indented JSON text."
  (with-temp-buffer
    (insert (json-serialize value :null-object nil :false-object :json-false))
    (ignore-errors (json-pretty-print-buffer))
    (buffer-string)))

;;;###autoload
(defun ssc-reindex ()
  "Crawl and index the workspace again (ssc.reindex)."
  (interactive)
  (ssc--require-offered "ssc.reindex" "re-index")
  (ssc--execute "ssc.reindex")
  (message "ssc: re-indexing"))

;;;###autoload
(defun ssc-explain (beg end)
  "Explain the region BEG..END (or the current line) (ssc.explain)."
  (interactive (let ((r (ssc--region))) (list (car r) (cdr r))))
  (ssc--require-offered "ssc.explain" "explain")
  (let ((result (ssc--execute "ssc.explain" (ssc--uri) (ssc--range beg end))))
    (ssc--show "explain" (or (ssc--markdown-of result) (format "%S" result)))))

;;;###autoload
(defun ssc-refactor (beg end instruction)
  "Rewrite the region BEG..END (or the current line) following INSTRUCTION.
Runs the server command ssc.refactor and applies the edit it returns."
  (interactive (let ((r (ssc--region)))
                 (ssc--require-offered "ssc.refactor" "refactor")
                 (list (car r) (cdr r) (read-string "ssc refactor: "))))
  (ssc--require-offered "ssc.refactor" "refactor")
  (when (string-empty-p (string-trim instruction))
    (user-error "No instruction"))
  (let ((result (ssc--execute "ssc.refactor" (ssc--uri) (ssc--range beg end) instruction)))
    (cond ((and (listp result) (or (plist-member result :changes)
                                   (plist-member result :documentChanges)))
           (eglot--apply-workspace-edit result))
          ((and (listp result) (plist-get result :edit))
           (eglot--apply-workspace-edit (plist-get result :edit)))
          ((ssc--markdown-of result) (ssc--show "refactor" (ssc--markdown-of result)))
          (t (message "ssc: refactor done")))))

(provide 'ssc)
;;; ssc.el ends here
