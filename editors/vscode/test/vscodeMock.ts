/**
 * A small in-process stand-in for the `vscode` module: enough of the API for the
 * extension and vscode-languageclient to activate, start a server, and run our
 * commands in node, without VS Code (which cannot be downloaded here).
 * Unknown functions return disposables, unknown enums return numbers.
 */
import * as path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

type Listener<T> = (e: T) => unknown;

export class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  event = (listener: Listener<T>): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query: string,
    readonly fragment: string,
  ) {}
  static file(p: string): Uri {
    return new Uri('file', '', p, '', '');
  }
  static parse(value: string): Uri {
    if (value.startsWith('file:')) return Uri.file(fileURLToPath(value));
    const m = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(value);
    if (!m) throw new Error(`bad uri ${value}`);
    return new Uri(m[1], m[2] ?? '', decodeURIComponent(m[3] ?? ''), m[4] ?? '', m[5] ?? '');
  }
  static from(c: { scheme: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(c.scheme, c.authority ?? '', c.path ?? '', c.query ?? '', c.fragment ?? '');
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, base.authority, path.posix.join(base.path, ...parts), '', '');
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: Partial<{ scheme: string; path: string; query: string; fragment: string }>): Uri {
    return new Uri(change.scheme ?? this.scheme, this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment);
  }
  toString(): string {
    if (this.scheme === 'file') return pathToFileURL(this.path).href;
    return `${this.scheme}:${this.authority ? '//' + this.authority : ''}${this.path}${this.query ? '?' + this.query : ''}`;
  }
  toJSON(): unknown {
    return { scheme: this.scheme, path: this.path };
  }
}

export class Position {
  constructor(readonly line: number, readonly character: number) {}
  isBefore(o: Position): boolean {
    return this.line < o.line || (this.line === o.line && this.character < o.character);
  }
  isEqual(o: Position): boolean {
    return this.line === o.line && this.character === o.character;
  }
  translate(dl = 0, dc = 0): Position {
    return new Position(this.line + dl, this.character + dc);
  }
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    if (typeof a === 'number') {
      this.start = new Position(a, b as number);
      this.end = new Position(c as number, d as number);
    } else {
      this.start = a;
      this.end = b as Position;
    }
  }
  get isEmpty(): boolean {
    return this.start.isEqual(this.end);
  }
}

export class Selection extends Range {
  constructor(readonly anchor: Position, readonly active: Position) {
    super(anchor, active);
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class MarkdownString {
  constructor(public value = '', public supportThemeIcons = false) {}
  appendMarkdown(v: string): this {
    this.value += v;
    return this;
  }
}

/** Hierarchical kinds ("refactor.extract"); vscode-languageclient builds them from Empty. */
export class CodeActionKind {
  static readonly Empty = new CodeActionKind('');
  static readonly QuickFix = new CodeActionKind('quickfix');
  static readonly Refactor = new CodeActionKind('refactor');
  static readonly Source = new CodeActionKind('source');
  constructor(readonly value: string) {}
  append(part: string): CodeActionKind {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  contains(other: CodeActionKind): boolean {
    return this.value === '' || other.value === this.value || other.value.startsWith(`${this.value}.`);
  }
  intersects(other: CodeActionKind): boolean {
    return this.contains(other) || other.contains(this);
  }
}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

/** A generic value class for everything the converters might construct. */
class Value {
  constructor(...args: unknown[]) {
    Object.assign(this, { args });
  }
}

/** Enums: known ones by value, anything else a number. */
function enumProxy(known: Record<string, number> = {}): Record<string, number> {
  let next = 100;
  const values: Record<string, number> = { ...known };
  return new Proxy(values, {
    get(target, prop) {
      if (typeof prop !== 'string') return undefined;
      if (!(prop in target)) target[prop] = next++;
      return target[prop];
    },
  });
}

/** A namespace whose unknown functions return disposables, unknown events register nothing. */
function namespace<T extends object>(known: T): T & Record<string, unknown> {
  return new Proxy(known as T & Record<string, unknown>, {
    get(target, prop) {
      if (typeof prop !== 'string') return undefined;
      if (prop in target) return (target as Record<string, unknown>)[prop];
      if (prop.startsWith('onDid') || prop.startsWith('onWill')) return () => new Disposable();
      return () => new Disposable();
    },
  });
}

export interface FakeDocument {
  uri: Uri;
  fileName: string;
  languageId: string;
  version: number;
  isClosed: boolean;
  isDirty: boolean;
  isUntitled: boolean;
  lineCount: number;
  eol: number;
  getText(): string;
  lineAt(line: number): { text: string; range: Range; lineNumber: number };
  offsetAt(p: Position): number;
  positionAt(offset: number): Position;
  save(): Promise<boolean>;
}

export function makeDocument(uri: Uri, text: string, languageId: string): FakeDocument {
  const lines = text.split('\n');
  return {
    uri,
    fileName: uri.fsPath,
    languageId,
    version: 1,
    isClosed: false,
    isDirty: false,
    isUntitled: false,
    lineCount: lines.length,
    eol: 1,
    getText: () => text,
    lineAt: (line: number) => ({ text: lines[line], lineNumber: line, range: new Range(line, 0, line, lines[line].length) }),
    offsetAt: (p: Position) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character,
    positionAt: (offset: number) => {
      let line = 0;
      while (line < lines.length - 1 && offset > lines[line].length) {
        offset -= lines[line].length + 1;
        line++;
      }
      return new Position(line, offset);
    },
    save: async () => true,
  };
}

export interface MockState {
  settings: Record<string, unknown>;
  workspaceFolder?: string;
  commands: Map<string, (...args: unknown[]) => unknown>;
  executed: { command: string; args: unknown[] }[];
  contentProviders: Map<string, { provideTextDocumentContent(uri: Uri): string }>;
  messages: { level: string; text: string }[];
  statusItems: { text: string; tooltip?: unknown; show(): void; hide(): void; dispose(): void }[];
  output: string[];
  activeTextEditor?: { document: FakeDocument; selection: Selection; viewColumn?: number };
  inputBoxAnswer?: string;
  /** Answers showInputBox by its title when set (else inputBoxAnswer). */
  inputBoxAnswers?: Record<string, string | undefined>;
  /** Picks from showQuickPick's items (undefined: dismissed). */
  quickPick?: (items: { label: string }[]) => unknown;
  /** Set by the mock: changes settings and fires onDidChangeConfiguration. */
  changeSettings?: (changes: Record<string, unknown>) => void;
  /** Recorded by the mock: the document selector of each language feature the client registered. */
  providerSelectors?: Map<string, unknown>;
}

export function createVscodeMock(state: MockState): Record<string, unknown> {
  const configurationEmitter = new EventEmitter<unknown>();
  state.changeSettings = (changes) => {
    Object.assign(state.settings, changes);
    const keys = Object.keys(changes);
    configurationEmitter.fire({
      affectsConfiguration: (section: string) => keys.some((k) => k === section || k.startsWith(section + '.')),
    });
  };
  const getConfiguration = (section?: string) => {
    const prefix = section ? section + '.' : '';
    return {
      get: <T>(key: string, dflt?: T): T | undefined => {
        const full = prefix + key;
        if (full in state.settings) return state.settings[full] as T;
        // A section object ("ssc.llm" -> {model: ...}).
        const sub: Record<string, unknown> = {};
        let found = false;
        for (const [k, v] of Object.entries(state.settings)) {
          if (k.startsWith(full + '.')) {
            found = true;
            let node = sub;
            const parts = k.slice(full.length + 1).split('.');
            parts.slice(0, -1).forEach((p) => (node = (node[p] ??= {}) as Record<string, unknown>));
            node[parts[parts.length - 1]] = v;
          }
        }
        return found ? (sub as T) : dflt;
      },
      has: (key: string) => prefix + key in state.settings,
      inspect: () => undefined,
      update: async () => undefined,
    };
  };

  const outputChannel = (name: string) => ({
    name,
    append: (v: string) => state.output.push(v),
    appendLine: (v: string) => state.output.push(v),
    replace: () => undefined,
    clear: () => undefined,
    show: () => undefined,
    hide: () => undefined,
    dispose: () => undefined,
    trace: (v: string) => state.output.push(v),
    debug: (v: string) => state.output.push(v),
    info: (v: string) => state.output.push(v),
    warn: (v: string) => state.output.push(v),
    error: (v: unknown) => state.output.push(String(v)),
    logLevel: 2,
    onDidChangeLogLevel: () => new Disposable(),
  });

  const message = (level: string) => async (text: string) => {
    state.messages.push({ level, text });
    return undefined;
  };

  const documents = new Map<string, FakeDocument>();

  const api: Record<string, unknown> = {
    version: '1.82.0',
    Disposable,
    EventEmitter,
    Uri,
    Position,
    CodeActionKind,
    Range,
    Selection,
    ThemeColor,
    MarkdownString,
    CancellationTokenSource,
    CancellationError: class CancellationError extends Error {},
    Location: Value,
    Diagnostic: Value,
    DiagnosticRelatedInformation: Value,
    CompletionItem: Value,
    CompletionList: Value,
    InlineCompletionItem: Value,
    InlineCompletionList: Value,
    Hover: Value,
    SnippetString: Value,
    TextEdit: Value,
    WorkspaceEdit: class WorkspaceEdit {
      entries: unknown[] = [];
      replace(...a: unknown[]): void {
        this.entries.push(a);
      }
      set(...a: unknown[]): void {
        this.entries.push(a);
      }
      insert(...a: unknown[]): void {
        this.entries.push(a);
      }
      delete(...a: unknown[]): void {
        this.entries.push(a);
      }
      createFile(): void {}
      renameFile(): void {}
      deleteFile(): void {}
    },
    SemanticTokensLegend: Value,
    RelativePattern: Value,
    ProgressLocation: enumProxy({ SourceControl: 1, Window: 10, Notification: 15 }),
    StatusBarAlignment: enumProxy({ Left: 1, Right: 2 }),
    ViewColumn: enumProxy({ Active: -1, Beside: -2, One: 1 }),
    DiagnosticSeverity: enumProxy({ Error: 0, Warning: 1, Information: 2, Hint: 3 }),
    DiagnosticTag: enumProxy({ Unnecessary: 1, Deprecated: 2 }),
    CompletionItemKind: enumProxy(),
    CompletionItemTag: enumProxy(),
    CompletionTriggerKind: enumProxy({ Invoke: 0, TriggerCharacter: 1, TriggerForIncompleteCompletions: 2 }),
    InlineCompletionTriggerKind: enumProxy({ Invoke: 0, Automatic: 1 }),
    SymbolKind: enumProxy(),
    SymbolTag: enumProxy(),
    TextDocumentSaveReason: enumProxy({ Manual: 1, AfterDelay: 2, FocusOut: 3 }),
    FileType: enumProxy({ Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 }),
    EndOfLine: enumProxy({ LF: 1, CRLF: 2 }),
    UIKind: enumProxy({ Desktop: 1, Web: 2 }),
    ConfigurationTarget: enumProxy({ Global: 1, Workspace: 2, WorkspaceFolder: 3 }),
    TextEditorRevealType: enumProxy(),
    env: { appName: 'mock', appRoot: '/', language: 'en', machineId: 'mock', sessionId: 'mock', uriScheme: 'vscode', uiKind: 1, remoteName: undefined, shell: '/bin/sh', clipboard: { readText: async () => '', writeText: async () => undefined }, openExternal: async () => true },
    extensions: namespace({ getExtension: () => undefined, all: [], onDidChange: () => new Disposable() }),
    commands: namespace({
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        if (state.commands.has(id)) throw new Error(`command '${id}' already exists`);
        state.commands.set(id, fn);
        return new Disposable(() => state.commands.delete(id));
      },
      executeCommand: async (id: string, ...args: unknown[]) => {
        state.executed.push({ command: id, args });
        const fn = state.commands.get(id);
        return fn ? fn(...args) : undefined;
      },
      getCommands: async () => [...state.commands.keys()],
    }),
    window: namespace({
      createOutputChannel: outputChannel,
      createStatusBarItem: (..._args: unknown[]) => {
        const item = { text: '', tooltip: undefined as unknown, name: '', command: undefined as unknown, backgroundColor: undefined as unknown, show: () => undefined, hide: () => undefined, dispose: () => undefined };
        state.statusItems.push(item);
        return item;
      },
      showErrorMessage: message('error'),
      showWarningMessage: message('warning'),
      showInformationMessage: message('info'),
      setStatusBarMessage: (text: string) => {
        state.messages.push({ level: 'status', text });
        return new Disposable();
      },
      withProgress: async (_o: unknown, task: (p: unknown, t: unknown) => Promise<unknown>) =>
        task({ report: () => undefined }, new CancellationTokenSource().token),
      showInputBox: async (o?: { title?: string }) =>
        state.inputBoxAnswers && o?.title !== undefined && o.title in state.inputBoxAnswers ? state.inputBoxAnswers[o.title] : state.inputBoxAnswer,
      showQuickPick: async (items: { label: string }[] | Promise<{ label: string }[]>) => (state.quickPick ? state.quickPick(await items) : undefined),
      showTextDocument: async (doc: FakeDocument) => ({ document: doc }),
      get activeTextEditor() {
        return state.activeTextEditor;
      },
      get visibleTextEditors() {
        return state.activeTextEditor ? [state.activeTextEditor] : [];
      },
      tabGroups: { all: [], onDidChangeTabs: () => new Disposable() },
      state: { focused: true },
    }),
    workspace: namespace({
      getConfiguration,
      onDidChangeConfiguration: configurationEmitter.event,
      get workspaceFolders() {
        return state.workspaceFolder ? [{ uri: Uri.file(state.workspaceFolder), name: path.basename(state.workspaceFolder), index: 0 }] : undefined;
      },
      getWorkspaceFolder: () => (state.workspaceFolder ? { uri: Uri.file(state.workspaceFolder), name: 'ws', index: 0 } : undefined),
      textDocuments: [],
      registerTextDocumentContentProvider: (scheme: string, provider: { provideTextDocumentContent(uri: Uri): string }) => {
        state.contentProviders.set(scheme, provider);
        return new Disposable(() => state.contentProviders.delete(scheme));
      },
      openTextDocument: async (uri: Uri) => {
        const provider = state.contentProviders.get(uri.scheme);
        const text = provider ? provider.provideTextDocumentContent(uri) : '';
        const doc = makeDocument(uri, text, uri.path.endsWith('.md') ? 'markdown' : 'plaintext');
        documents.set(uri.toString(), doc);
        return doc;
      },
      createFileSystemWatcher: () => ({ onDidCreate: () => new Disposable(), onDidChange: () => new Disposable(), onDidDelete: () => new Disposable(), dispose: () => undefined }),
      applyEdit: async () => true,
      fs: { stat: async () => ({ type: 1 }) },
      isTrusted: true,
    }),
    languages: namespace({
      match: () => 10,
      registerDefinitionProvider: (selector: unknown) => {
        (state.providerSelectors ??= new Map()).set('definition', selector);
        return new Disposable();
      },
      createDiagnosticCollection: () => ({ set: () => undefined, delete: () => undefined, clear: () => undefined, dispose: () => undefined, forEach: () => undefined, get: () => undefined, has: () => false }),
      setTextDocumentLanguage: async (doc: FakeDocument, languageId: string) => ({ ...doc, languageId }),
      getLanguages: async () => ['python', 'markdown'],
    }),
  };
  // Anything else: classes (capitalized) are generic value classes, the rest namespaces.
  return new Proxy(api, {
    get(target, prop) {
      if (typeof prop !== 'string' || prop in target) return target[prop as string];
      target[prop] = /^[A-Z]/.test(prop) ? class extends Value {} : namespace({});
      return target[prop];
    },
  });
}
