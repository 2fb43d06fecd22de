;;; ssc.el --- ssc-lsp (LLM pair programmer on a symbolic map) via eglot  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: languages, tools, convenience
;; SPDX-License-Identifier: MIT

;;; Commentary:

;; Registers `ssc-lsp' as the eglot server for the languages it maps (Python,
;; JavaScript/TypeScript, Go, Rust, Java: `ssc-major-modes') and adds
;; commands for the server's custom requests:
;;
;;   (add-to-list 'load-path "/path/to/ssc-lsp/editors/emacs")
;;   (require 'ssc)
;;   (ssc-setup)                         ; once: eglot-server-programs + settings
;;   ;; then M-x eglot in a Python, JS/TS, Go, Rust or Java buffer
;;   ;; (or add `eglot-ensure' to python-mode-hook, go-ts-mode-hook, ...)
;;
;; Commands: `ssc-context', `ssc-explain', `ssc-refactor', `ssc-symbol',
;; `ssc-stats', `ssc-reindex', and the refactor commands `ssc-change-signature',
;; `ssc-move-symbol', `ssc-extract-function', `ssc-extract-variable', `ssc-inline',
;; `ssc-suggest-names'.  `ssc-actions' offers only what the running server lists
;; (its executeCommandProvider); run anyway, a command the server does not list says
;; so.  Edits are previewed first (`ssc-preview'): the diff and what the server's
;; check found, then applied when you say so.
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

(defcustom ssc-major-modes
  '(python-mode python-ts-mode
    js-mode js-ts-mode js2-mode rjsx-mode
    typescript-mode typescript-ts-mode tsx-ts-mode
    go-mode go-ts-mode
    rust-mode rust-ts-mode rustic-mode
    java-mode java-ts-mode)
  "Major modes in which eglot starts ssc-lsp: the languages the server maps.
Python, JavaScript/TypeScript (with JSX), Go, Rust and Java, each with its
tree-sitter (-ts-mode) variant.  The refactor commands are Python's; the map
features (definition, hover, references, rename, symbols, `ssc-context',
completion) serve all.  Eglot runs one server per buffer: remove a mode here
before `ssc-setup' to keep another server (e.g. gopls) for it."
  :type '(repeat symbol))

(defcustom ssc-preview t
  "Preview the edits of the refactor commands before applying them.
Non-nil and a server offering ssc.previewEdit: the edit is shown as a diff with
what the server's check found, and applied when you confirm.  Nil: the server
applies it (workspace/applyEdit); what the check found is shown either way."
  :type 'boolean)

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
  (let ((result (ssc--execute "ssc.explain" (list :textDocument (list :uri (ssc--uri))
                                                   :range (ssc--range beg end)))))
    (ssc--show "explain" (or (ssc--markdown-of result) (format "%S" result)))))

;;; Refactor commands (issue 11)

(defconst ssc-signature-syntax
  "add NAME=DEFAULT | add NAME pass VALUE | remove NAME | rename OLD NEW | reorder A B C (several: separate with \";\"; \"at N\" after add sets the position)"
  "What `ssc-change-signature' reads.")

(defconst ssc--ident "[A-Za-z_][A-Za-z0-9_]*")

(defun ssc--parse-change (text)
  "One change of TEXT as the server takes it (a plist), or a string saying why not."
  (let* ((text (string-trim text))
         (op (downcase (car (split-string text))))
         (rest (string-trim (substring text (length op))))
         (words (split-string rest "[ \t,]+" t))
         (idents (lambda (ws) (seq-every-p (lambda (w) (string-match-p (concat "\\`" ssc--ident "\\'") w)) ws))))
    (pcase op
      ("remove" (if (and (= (length words) 1) (funcall idents words))
                    (list :op "remove" :name (car words))
                  "\"remove\" takes one parameter name"))
      ("rename" (if (and (= (length words) 2) (funcall idents words))
                    (list :op "rename" :name (car words) :newName (cadr words))
                  "\"rename\" takes the old and the new name"))
      ("reorder" (if (and (>= (length words) 2) (funcall idents words))
                     (list :op "reorder" :order (vconcat words))
                   "\"reorder\" takes the parameter names in their new order"))
      ("add"
       (let ((body rest) index)
         (when (string-match "[ \t]+at[ \t]+\\([0-9]+\\)\\'" body)
           (setq index (string-to-number (match-string 1 body))
                 body (substring body 0 (match-beginning 0))))
         (let ((change
                (cond ((string-match (concat "\\`\\(" ssc--ident "\\)[ \t]*=[ \t]*\\(.+?\\)[ \t]*\\'") body)
                       (list :op "add" :name (match-string 1 body) :default (match-string 2 body)))
                      ((string-match (concat "\\`\\(" ssc--ident "\\)[ \t]+pass[ \t]+\\(.+?\\)[ \t]*\\'") body)
                       (list :op "add" :name (match-string 1 body) :value (match-string 2 body))))))
           (cond ((null change) "\"add\" takes NAME=DEFAULT or NAME pass VALUE (the value each call passes)")
                 (index (append change (list :index index)))
                 (t change)))))
      (_ (format "unknown change \"%s\"" op)))))

(defun ssc-parse-signature-changes (text)
  "The changes of TEXT (see `ssc-signature-syntax') as a vector of plists.
Signals a `user-error' saying what cannot be read."
  (let ((parts (seq-remove #'string-empty-p (mapcar #'string-trim (split-string text ";"))))
        (out nil))
    (unless parts
      (user-error "ssc: no change given (%s)" ssc-signature-syntax))
    (dolist (part parts (vconcat (nreverse out)))
      (let ((change (ssc--parse-change part)))
        (when (stringp change)
          (user-error "ssc: %s: \"%s\"" change part))
        (push change out)))))

(defun ssc--outcome-p (result)
  "Non-nil when RESULT is an edit command's outcome (title, summary, problems...)."
  (and (listp result) (or (stringp (plist-get result :summary)) (plist-get result :problems)
                          (stringp (plist-get result :error)))))

(defun ssc-outcome-line (result)
  "One line for the outcome RESULT: its title, what the check found, applied or not."
  (string-join (delq nil (list (concat "ssc: " (or (plist-get result :title) "ssc"))
                               (let ((s (plist-get result :summary))) (and (stringp s) (not (string-empty-p s)) s))
                               (or (plist-get result :error)
                                   (and (not (eq (plist-get result :applied) t)) "not applied"))))
               " — "))

(defun ssc--problem-place (p)
  (let ((start (plist-get (plist-get p :range) :start)))
    (if (numberp (plist-get start :line))
        (format "%s:%d:%d" (or (plist-get p :path) (plist-get p :uri))
                (1+ (plist-get start :line)) (1+ (or (plist-get start :character) 0)))
      (or (plist-get p :path) (plist-get p :uri) "?"))))

(defun ssc-outcome-markdown (result)
  "The outcome RESULT as markdown: the check's summary, its problems and the notes."
  (let ((problems (append (plist-get result :problems) nil))
        (notes (append (plist-get result :notes) nil)))
    (concat (format "# %s\n\n**%s**%s\n" (or (plist-get result :title) "ssc")
                    (or (plist-get result :summary) "no summary")
                    (if (eq (plist-get result :applied) t) " (applied)" " (not applied)"))
            (if (plist-get result :error) (format "\n_%s_\n" (plist-get result :error)) "")
            (if problems
                (concat (format "\n## Problems (%d)\n\n" (length problems))
                        (mapconcat (lambda (p) (format "- `%s` %s%s" (ssc--problem-place p)
                                                       (if (plist-get p :kind) (format "[%s] " (plist-get p :kind)) "")
                                                       (or (plist-get p :message) "")))
                                   problems "\n")
                        "\n")
              "")
            (if notes
                (concat (format "\n## Notes (%d)\n\n" (length notes))
                        (mapconcat (lambda (n) (format "- %s" n)) notes "\n") "\n")
              ""))))

(defun ssc--show-outcome (result)
  "Tell what an edit command answered: a message, and the problems and notes if any."
  (cond ((ssc--outcome-p result)
         (when (or (plist-get result :problems) (plist-get result :notes) (plist-get result :error))
           (ssc--show "refactor" (ssc-outcome-markdown result)))
         (message "%s" (ssc-outcome-line result)))
        ((and (listp result) (or (plist-member result :changes) (plist-member result :documentChanges)))
         (eglot--apply-workspace-edit result))
        ((ssc--markdown-of result) (ssc--show "refactor" (ssc--markdown-of result)))
        (t (message "ssc: refactor done"))))

(defun ssc--run-edit (command arg)
  "Run the edit COMMAND with ARG (a plist); preview it first when `ssc-preview'.
Returns the outcome (with :applied set by what happened here)."
  (if (not (and ssc-preview (ssc--offers "ssc.previewEdit")))
      (let ((result (ssc--execute command arg)))
        (ssc--show-outcome result)
        result)
    (let* ((result (ssc--execute command (append arg (list :apply :json-false))))
           (edit (and (ssc--outcome-p result) (plist-get result :edit))))
      (if (not edit)
          (progn (ssc--show-outcome result) result)
        (let ((shown (ssc--execute "ssc.previewEdit" (list :edit edit))))
          (ssc--show "preview" (concat (or (ssc--markdown-of shown) "") "\n\n"
                                       (ssc-outcome-markdown result)))
          (if (y-or-n-p (format "%s — apply? " (ssc-outcome-line result)))
              (progn (eglot--apply-workspace-edit edit)
                     (setq result (plist-put result :applied t)))
            (setq result (plist-put result :error "cancelled")))
          (message "%s" (ssc-outcome-line result))
          result)))))

(defun ssc--doc-arg (&rest more)
  "The argument of a server command at point: textDocument, position, and MORE."
  (append (list :textDocument (list :uri (ssc--uri))
                :position (plist-get (ssc--position-params) :position))
          more))

(defun ssc--offered-command-p (symbol _buffer)
  "`completion-predicate' of the commands below: the server lists its command."
  (let ((command (get symbol 'ssc-server-command)))
    (and (ignore-errors (eglot-current-server)) (ignore-errors (ssc--offers command)))))

;;;###autoload
(defun ssc-refactor (beg end instruction)
  "Rewrite the region BEG..END (or the current line) following INSTRUCTION (ssc.refactor).
What the server's check found is shown; the edit is previewed first (`ssc-preview')."
  (interactive (let ((r (ssc--region)))
                 (ssc--require-offered "ssc.refactor" "refactor")
                 (list (car r) (cdr r) (read-string "ssc refactor: "))))
  (ssc--require-offered "ssc.refactor" "refactor")
  (when (string-empty-p (string-trim instruction))
    (user-error "No instruction"))
  (ssc--run-edit "ssc.refactor" (ssc--doc-arg :range (ssc--range beg end)
                                              :instruction (string-trim instruction))))

;;;###autoload
(defun ssc-change-signature (changes)
  "Change the signature of the function at point (ssc.changeSignature).
CHANGES is text in `ssc-signature-syntax'; every call site the map knows follows."
  (interactive (progn (ssc--require-offered "ssc.changeSignature" "change signature")
                      (list (read-string (format "ssc change signature (%s): " ssc-signature-syntax)))))
  (ssc--require-offered "ssc.changeSignature" "change signature")
  (ssc--run-edit "ssc.changeSignature" (ssc--doc-arg :changes (ssc-parse-signature-changes changes))))

;;;###autoload
(defun ssc-move-symbol (target)
  "Move the function or class at point to the module TARGET (ssc.moveSymbol).
TARGET is a path relative to the workspace root, new or existing; imports follow."
  (interactive (progn (ssc--require-offered "ssc.moveSymbol" "move symbol")
                      (list (read-string "ssc move to (e.g. pkg/helpers.py): "))))
  (ssc--require-offered "ssc.moveSymbol" "move symbol")
  (when (string-empty-p (string-trim target))
    (user-error "No target module"))
  (ssc--run-edit "ssc.moveSymbol" (ssc--doc-arg :target (string-trim target))))

(defun ssc--extract (command what beg end name)
  (ssc--require-offered command what)
  (ssc--run-edit command (append (list :textDocument (list :uri (ssc--uri))
                                       :range (ssc--range beg end))
                                 (unless (string-empty-p (string-trim (or name "")))
                                   (list :name (string-trim name))))))

;;;###autoload
(defun ssc-extract-function (beg end name)
  "Extract the region BEG..END into a function named NAME (ssc.extractFunction).
An empty NAME lets the model propose one (checked to be free in its scope)."
  (interactive (let ((r (ssc--region)))
                 (ssc--require-offered "ssc.extractFunction" "extract function")
                 (list (car r) (cdr r) (read-string "ssc extract function, name (empty: proposed): "))))
  (ssc--extract "ssc.extractFunction" "extract function" beg end name))

;;;###autoload
(defun ssc-extract-variable (beg end name)
  "Extract the expression BEG..END into a variable named NAME (ssc.extractVariable).
An empty NAME lets the model propose one."
  (interactive (let ((r (ssc--region)))
                 (ssc--require-offered "ssc.extractVariable" "extract variable")
                 (list (car r) (cdr r) (read-string "ssc extract variable, name (empty: proposed): "))))
  (ssc--extract "ssc.extractVariable" "extract variable" beg end name))

;;;###autoload
(defun ssc-inline ()
  "Inline the variable or function at point (ssc.inline)."
  (interactive)
  (ssc--require-offered "ssc.inline" "inline")
  (ssc--run-edit "ssc.inline" (ssc--doc-arg)))

;;;###autoload
(defun ssc-suggest-names ()
  "Pick a better name for the symbol at point (ssc.suggestNames), then rename to it.
The rename is eglot's (the server's textDocument/rename)."
  (interactive)
  (ssc--require-offered "ssc.suggestNames" "suggest names")
  (let* ((result (ssc--execute "ssc.suggestNames" (ssc--doc-arg)))
         (names (mapcar (lambda (n) (cons (if (plist-get n :reason)
                                              (format "%s — %s" (plist-get n :name) (plist-get n :reason))
                                            (plist-get n :name))
                                          (plist-get n :name)))
                        (append (plist-get result :names) nil))))
    (if (null names)
        (message "ssc: no better name to suggest")
      (let ((pick (completing-read "ssc rename to: " names nil t)))
        (eglot-rename (or (cdr (assoc pick names)) pick))))))

(defconst ssc--server-commands
  '((ssc-refactor . "ssc.refactor") (ssc-explain . "ssc.explain")
    (ssc-change-signature . "ssc.changeSignature") (ssc-move-symbol . "ssc.moveSymbol")
    (ssc-extract-function . "ssc.extractFunction") (ssc-extract-variable . "ssc.extractVariable")
    (ssc-inline . "ssc.inline") (ssc-suggest-names . "ssc.suggestNames"))
  "The commands that need a server command, and its name.")

(dolist (entry ssc--server-commands)
  (put (car entry) 'ssc-server-command (cdr entry))
  ;; M-x leaves them out when the server does not list them (with
  ;; `read-extended-command-predicate' set to `command-completion-default-include-p').
  (put (car entry) 'completion-predicate #'ssc--offered-command-p))

(defun ssc-offered-actions ()
  "The commands of `ssc--server-commands' the running server lists."
  (seq-filter (lambda (entry) (ssc--offers (cdr entry))) ssc--server-commands))

;;;###autoload
(defun ssc-actions ()
  "Run one of the refactor commands the running server offers."
  (interactive)
  (let ((offered (mapcar (lambda (e) (symbol-name (car e))) (ssc-offered-actions))))
    (if (null offered)
        (message "ssc: this server offers no refactor commands")
      (call-interactively (intern (completing-read "ssc: " offered nil t))))))

(provide 'ssc)
;;; ssc.el ends here
