import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ProposedFeatures,
  ServerOptions,
  State,
  StreamInfo,
} from 'vscode-languageclient/node';

import { documentSelector } from './languages';
import { contextMarkdown, jsonMarkdown, markdownFromResult, workspaceEditFromResult } from './markdown';
import { OPTIONAL_SERVER_COMMANDS, OptionalCommand, offeredCommands, unavailableMessage } from './offers';
import { MarkdownPreview } from './preview';
import { outcomeLine, outcomeMarkdown, outcomeOf, parseSignatureChanges, SIGNATURE_SYNTAX, suggestedNames } from './refactor';
import { activePythonCommand, onPythonEnvironmentChange } from './python';
import { expandVariables, formatCommand, parseTcpAddress, resolveServerCommand, ServerCommand } from './serverPath';
import { buildServerSettings, configurationForSection, JsonObject, NOT_OURS_SECTION } from './settings';
import { renderStatus, statsFromResult, StatusModel, WorkDoneProgressValue } from './status';

/** Commands the server executes (workspace/executeCommand). */
export const SERVER_COMMANDS = {
  reindex: 'ssc.reindex',
  showContext: 'ssc.showContext',
  refactor: 'ssc.refactor',
  explain: 'ssc.explain',
  acceptCompletion: 'ssc.acceptCompletion',
  changeSignature: 'ssc.changeSignature',
  moveSymbol: 'ssc.moveSymbol',
  extractFunction: 'ssc.extractFunction',
  extractVariable: 'ssc.extractVariable',
  inline: 'ssc.inline',
  suggestNames: 'ssc.suggestNames',
  applyAction: 'ssc.applyAction',
} as const;

/** Server commands whose result is an edit with the check's findings (shown to the user). */
const EDIT_COMMANDS: ReadonlySet<string> = new Set([
  SERVER_COMMANDS.refactor,
  SERVER_COMMANDS.changeSignature,
  SERVER_COMMANDS.moveSymbol,
  SERVER_COMMANDS.extractFunction,
  SERVER_COMMANDS.extractVariable,
  SERVER_COMMANDS.inline,
  SERVER_COMMANDS.applyAction,
]);

/**
 * Commands of this extension. They use the "ssc-lsp." prefix because
 * vscode-languageclient registers every command the server lists in
 * executeCommandProvider under its own id ("ssc.reindex", ...), and a second
 * registration of the same id would fail.
 */
export const CLIENT_COMMANDS = {
  refactor: 'ssc-lsp.refactor',
  explain: 'ssc-lsp.explain',
  changeSignature: 'ssc-lsp.changeSignature',
  moveSymbol: 'ssc-lsp.moveSymbol',
  extractFunction: 'ssc-lsp.extractFunction',
  extractVariable: 'ssc-lsp.extractVariable',
  inline: 'ssc-lsp.inline',
  suggestNames: 'ssc-lsp.suggestNames',
  showContext: 'ssc-lsp.showContext',
  showSymbol: 'ssc-lsp.showSymbol',
  showStats: 'ssc-lsp.showStats',
  reindex: 'ssc-lsp.reindex',
  restart: 'ssc-lsp.restart',
  showOutput: 'ssc-lsp.showOutput',
  menu: 'ssc-lsp.menu',
} as const;

const CUSTOM_REQUESTS = { symbol: 'ssc/symbol', context: 'ssc/context', stats: 'ssc/stats' } as const;

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let statusItem: vscode.StatusBarItem;
let preview: MarkdownPreview;
const status = new StatusModel();
let acceptFallback: vscode.Disposable | undefined;
let clientListeners: vscode.Disposable[] = [];
let restarting = false;
/** Commands the running server lists in executeCommandProvider (empty while none runs). */
let offered = new Set<string>();

function log(message: string): void {
  output.appendLine(`[${new Date().toISOString()}] ${message}`);
}

function updateStatus(): void {
  const view = renderStatus(status.current);
  statusItem.text = view.text;
  statusItem.tooltip = view.tooltip;
  statusItem.backgroundColor =
    view.severity === 'error'
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : view.severity === 'warning'
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    return err.message;
  }
  if (err !== null && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}

function reportError(what: string, err: unknown): void {
  const message = `${what}: ${errorText(err)}`;
  log(message);
  status.requestError(message);
  updateStatus();
  void vscode.window.showErrorMessage(`ssc: ${message}`);
}

function sscConfig(scope?: vscode.ConfigurationScope): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('ssc', scope);
}

/** The settings object the server receives (initializationOptions and workspace/configuration "ssc"). */
export function currentServerSettings(scope?: vscode.ConfigurationScope): JsonObject {
  const config = sscConfig(scope);
  return buildServerSettings((key) => config.get(key));
}

function firstWorkspaceFolder(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.[0];
}

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) {
      return false;
    }
    if (process.platform === 'win32') {
      return true;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function pythonHasModule(python: readonly string[], module: string): boolean {
  const res = spawnSync(
    python[0],
    [...python.slice(1), '-c', `import importlib.util, sys; sys.exit(0 if importlib.util.find_spec(${JSON.stringify(module)}) else 1)`],
    { timeout: 15000, stdio: 'ignore', windowsHide: true },
  );
  return res.status === 0;
}

async function resolveServer(): Promise<ServerCommand> {
  const folder = firstWorkspaceFolder();
  const config = sscConfig(folder);
  const env = process.env as Record<string, string | undefined>;
  let pythonCommand = await activePythonCommand(folder?.uri, log);
  if (pythonCommand) {
    pythonCommand = pythonCommand.map((part) =>
      expandVariables(part, { workspaceFolder: folder?.uri.fsPath, env, homeDir: os.homedir() }),
    );
  }
  return resolveServerCommand(
    {
      configuredPath: config.get<string>('server.path'),
      configuredArgs: config.get<string[]>('server.args'),
      pythonCommand,
      workspaceFolder: folder?.uri.fsPath,
      env,
      platform: process.platform,
      homeDir: os.homedir(),
    },
    { isExecutable, pythonHasModule },
  );
}

async function serverOptions(): Promise<ServerOptions> {
  const tcp = parseTcpAddress(sscConfig().get<string>('server.tcp'));
  if (tcp) {
    status.setServer(`tcp ${tcp.host}:${tcp.port}`);
    log(`Connecting to a running server at ${tcp.host}:${tcp.port} (ssc.server.tcp)`);
    return () =>
      new Promise<StreamInfo>((resolve, reject) => {
        const socket = net.connect(tcp.port, tcp.host);
        socket.once('connect', () => resolve({ reader: socket, writer: socket }));
        socket.once('error', reject);
      });
  }
  const cmd = await resolveServer();
  const line = formatCommand(cmd);
  status.setServer(line);
  log(`Server command (${cmd.source}): ${line}`);
  if (cmd.hint) {
    log(cmd.hint);
    void vscode.window.showWarningMessage(`ssc: ${cmd.hint}`);
  }
  const folder = firstWorkspaceFolder();
  // No `transport`: with TransportKind.stdio vscode-languageclient would append
  // "--stdio" to the arguments, which ssc-lsp does not take. Stdio is the default.
  return {
    command: cmd.command,
    args: cmd.args,
    options: { cwd: folder?.uri.fsPath, env: { ...process.env } },
  };
}

/** Shows a command result as markdown (explain, context), if it has any. */
async function showMarkdownResult(kind: string, result: unknown): Promise<void> {
  const md = kind === 'context' ? contextMarkdown(result) : markdownFromResult(result);
  if (md !== undefined) {
    await preview.show(kind, md);
  } else if (result !== null && result !== undefined) {
    await preview.show(kind, jsonMarkdown(`ssc ${kind}`, result));
  }
}

async function applyRefactorResult(c: LanguageClient, result: unknown): Promise<void> {
  const edit = workspaceEditFromResult(result);
  if (edit !== undefined) {
    const converted = await c.protocol2CodeConverter.asWorkspaceEdit(edit as Parameters<typeof c.protocol2CodeConverter.asWorkspaceEdit>[0]);
    if (!converted || !(await vscode.workspace.applyEdit(converted))) {
      throw new Error('the edit from the server could not be applied');
    }
    return;
  }
  const md = markdownFromResult(result);
  if (md !== undefined) {
    await preview.show('refactor', md);
    return;
  }
  // null: the server applied the edit itself through workspace/applyEdit.
  void vscode.window.setStatusBarMessage('ssc: refactor done', 3000);
}

/**
 * Shows what an edit command answered: one line (title, what the check found, applied or
 * not), and the problems and notes in the preview whenever there are any: the user must see
 * what the check found. Results without that shape (older servers): applyRefactorResult.
 */
async function showOutcome(c: LanguageClient, result: unknown): Promise<void> {
  const o = outcomeOf(result);
  if (o === undefined) {
    await applyRefactorResult(c, result);
    return;
  }
  const line = outcomeLine(o);
  log(line);
  if (o.problems.length > 0 || o.notes.length > 0 || o.error !== undefined) {
    await preview.show('refactor', outcomeMarkdown(o));
    void vscode.window.showWarningMessage(line);
  } else {
    void vscode.window.showInformationMessage(line);
  }
}

/** The changes for ssc.changeSignature, typed in a small syntax (src/refactor.ts). */
async function askSignatureChanges(): Promise<unknown[] | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'ssc: change signature',
    prompt: SIGNATURE_SYNTAX,
    placeHolder: 'e.g. add timeout=10; remove verbose; rename n count',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const got = parseSignatureChanges(v);
      return 'error' in got ? got.error : undefined;
    },
  });
  if (text === undefined || text.trim() === '') {
    return undefined;
  }
  const got = parseSignatureChanges(text);
  if ('error' in got) {
    throw new Error(got.error);
  }
  return got.changes;
}

async function askTarget(): Promise<string | undefined> {
  const target = await vscode.window.showInputBox({
    title: 'ssc: move symbol',
    prompt: 'The module to move it to: a path relative to the workspace root, new or existing',
    placeHolder: 'e.g. pkg/helpers.py',
    ignoreFocusOut: true,
    validateInput: (v) => (/\.pyi?$/.test(v.trim()) ? undefined : 'a Python file, e.g. pkg/helpers.py'),
  });
  return target?.trim() || undefined;
}

/** The argument of an extract command: the selection and the name asked for (empty: the
 * model proposes one, checked to be free in its scope); undefined: cancelled. */
async function extractArgument(what: string, sel: { uri: string; range: unknown }): Promise<Record<string, unknown> | undefined> {
  const name = await vscode.window.showInputBox({
    title: `ssc: extract ${what}`,
    prompt: `Name of the new ${what} (empty: the model proposes one, checked to be free in its scope)`,
    ignoreFocusOut: true,
  });
  if (name === undefined) {
    return undefined;
  }
  return { textDocument: { uri: sel.uri }, range: sel.range, ...(name.trim() ? { name: name.trim() } : {}) };
}

/**
 * Fills in what the user must give for `command` when its argument object lacks it (a code
 * action or a key binding may carry only the document and position); false: cancelled.
 */
async function completeArguments(command: string, arg: Record<string, unknown>): Promise<boolean> {
  if (command === SERVER_COMMANDS.refactor && (typeof arg.instruction !== 'string' || arg.instruction === '')) {
    const instruction = await askInstruction();
    if (instruction === undefined) return false;
    arg.instruction = instruction;
  } else if (command === SERVER_COMMANDS.changeSignature && !Array.isArray(arg.changes)) {
    const changes = await askSignatureChanges();
    if (changes === undefined) return false;
    arg.changes = changes;
  } else if (command === SERVER_COMMANDS.moveSymbol && (typeof arg.target !== 'string' || arg.target === '')) {
    const target = await askTarget();
    if (target === undefined) return false;
    arg.target = target;
  }
  return true;
}

/** ssc.suggestNames, then the standard rename (every rename provider, ssc's included) to the pick. */
async function renameToSuggestion(result: unknown, uri: vscode.Uri, position: vscode.Position): Promise<void> {
  const names = suggestedNames(result);
  if (names.length === 0) {
    void vscode.window.showInformationMessage('ssc: no better name to suggest');
    return;
  }
  const pick = await vscode.window.showQuickPick(
    names.map((n) => ({ label: n.name, detail: n.reason })),
    { title: 'ssc: rename to', placeHolder: 'Each name is free in its scope' },
  );
  if (!pick) {
    return;
  }
  const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit | undefined>('vscode.executeDocumentRenameProvider', uri, position, pick.label);
  if (!edit || !(await vscode.workspace.applyEdit(edit))) {
    throw new Error(`the rename to ${pick.label} could not be applied`);
  }
}

async function askInstruction(): Promise<string | undefined> {
  const instruction = await vscode.window.showInputBox({
    title: 'ssc: refactor',
    prompt: 'What should be changed in the selection?',
    placeHolder: 'e.g. extract the loop body into a function',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'Enter an instruction' : undefined),
  });
  return instruction?.trim() || undefined;
}

function requireClient(): LanguageClient {
  if (!client || !client.isRunning()) {
    throw new Error('the ssc server is not running (see "ssc: Show Output")');
  }
  return client;
}

async function executeServerCommand(command: string, args: unknown[]): Promise<unknown> {
  const c = requireClient();
  return c.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
}

function editorSelection(): { editor: vscode.TextEditor; uri: string; range: unknown; position: unknown } {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    throw new Error('no active editor');
  }
  const c = requireClient();
  let sel: vscode.Range = editor.selection;
  if (sel.isEmpty) {
    sel = editor.document.lineAt(editor.selection.active.line).range;
  }
  return {
    editor,
    uri: c.code2ProtocolConverter.asUri(editor.document.uri),
    range: c.code2ProtocolConverter.asRange(sel),
    position: c.code2ProtocolConverter.asPosition(editor.selection.active),
  };
}

async function withProgress<T>(title: string, task: () => Promise<T>): Promise<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, task);
}

async function refreshStats(): Promise<void> {
  if (!client || !client.isRunning()) {
    return;
  }
  try {
    const result = await client.sendRequest(CUSTOM_REQUESTS.stats, {});
    status.stats(statsFromResult(result));
  } catch (err) {
    log(`ssc/stats failed: ${errorText(err)}`);
  }
  updateStatus();
}

/** Records what the server offers; menus follow the `ssc.offers.*` context keys. */
function setOffered(commands: Set<string>): void {
  offered = commands;
  for (const { command, contextKey } of Object.values(OPTIONAL_SERVER_COMMANDS)) {
    void vscode.commands.executeCommand('setContext', contextKey, commands.has(command));
  }
}

/** True when the server offers the command; else tells the user (a warning, not an error). */
function serverOffers(which: OptionalCommand): boolean {
  if (offered.has(OPTIONAL_SERVER_COMMANDS[which].command)) {
    return true;
  }
  const message = unavailableMessage(which, client?.initializeResult?.serverInfo);
  log(message);
  void vscode.window.showWarningMessage(message);
  return false;
}

function registerAcceptFallback(c: LanguageClient): void {
  acceptFallback?.dispose();
  acceptFallback = undefined;
  const advertised = c.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  if (advertised.includes(SERVER_COMMANDS.acceptCompletion)) {
    return; // vscode-languageclient forwards it already.
  }
  // Inline completion items carry the command; make sure accepting them never fails.
  acceptFallback = vscode.commands.registerCommand(SERVER_COMMANDS.acceptCompletion, async (...args: unknown[]) => {
    try {
      await executeServerCommand(SERVER_COMMANDS.acceptCompletion, args);
    } catch (err) {
      log(`${SERVER_COMMANDS.acceptCompletion} failed: ${errorText(err)}`);
    }
  });
}

function clientOptions(): LanguageClientOptions {
  return {
    documentSelector: documentSelector(),
    outputChannel: output,
    initializationOptions: () => currentServerSettings(firstWorkspaceFolder()),
    synchronize: { configurationSection: 'ssc' },
    middleware: {
      workspace: {
        // workspace/didChangeConfiguration: send the normalized "ssc" object, not VS Code's raw
        // section (which also holds the client-only ssc.server.* and ssc.trace.* keys).
        didChangeConfiguration: async () => {
          const c = client;
          if (c) {
            await c.sendNotification(DidChangeConfigurationNotification.type, { settings: { ssc: currentServerSettings(firstWorkspaceFolder()) } });
          }
        },
        // Answer workspace/configuration for "ssc*" with the same normalized object as initializationOptions.
        configuration: async (params, token, next) => {
          const raw = await next(params, token);
          if (!Array.isArray(raw)) {
            return raw;
          }
          return params.items.map((item, i) => {
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            const ours = configurationForSection(item.section, currentServerSettings(scope));
            return ours === NOT_OURS_SECTION ? raw[i] : ours;
          });
        },
      },
      handleWorkDoneProgress: (token, params, next) => {
        if (status.progress(token, params as WorkDoneProgressValue)) {
          void refreshStats();
        }
        updateStatus();
        next(token, params);
      },
      // Commands the server offers in code actions / code lenses: show what they return.
      executeCommand: async (command, args, next) => {
        const arg = args[0];
        if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) {
          const own = { ...(arg as Record<string, unknown>) };
          if (!(await completeArguments(command, own))) {
            return undefined;
          }
          args = [own, ...args.slice(1)];
        }
        const result = await next(command, args);
        try {
          if (command === SERVER_COMMANDS.explain) {
            await showMarkdownResult('explain', result);
          } else if (command === SERVER_COMMANDS.showContext) {
            await showMarkdownResult('context', result);
          } else if (EDIT_COMMANDS.has(command) && client) {
            await showOutcome(client, result);
          } else if (command === SERVER_COMMANDS.suggestNames && client) {
            const a = arg as { textDocument?: { uri?: string }; position?: { line: number; character: number } } | undefined;
            if (a?.textDocument?.uri && a.position) {
              await renameToSuggestion(result, client.protocol2CodeConverter.asUri(a.textDocument.uri), client.protocol2CodeConverter.asPosition(a.position));
            }
          }
        } catch (err) {
          reportError(command, err);
        }
        return result;
      },
    },
  };
}

async function startClient(): Promise<void> {
  status.starting();
  updateStatus();
  let options: ServerOptions;
  try {
    options = await serverOptions();
  } catch (err) {
    status.error(`could not resolve the server: ${errorText(err)}`);
    updateStatus();
    return;
  }
  const c = new LanguageClient('ssc', 'ssc', options, clientOptions());
  c.registerFeatures(ProposedFeatures.createAll(c)); // textDocument/inlineCompletion
  clientListeners.push(
    c.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        status.running();
      } else if (e.newState === State.Stopped) {
        if (restarting) {
          status.stopped();
        } else if (status.current.phase !== 'error') {
          status.error('the server stopped');
        }
      } else {
        status.starting();
      }
      updateStatus();
    }),
  );
  client = c;
  try {
    await c.start();
    status.clearError();
    status.running();
    setOffered(offeredCommands(c.initializeResult));
    registerAcceptFallback(c);
    void refreshStats();
    log('Server started');
  } catch (err) {
    status.error(`the server did not start: ${errorText(err)}`);
    log(`Server start failed: ${errorText(err)}`);
    void vscode.window
      .showErrorMessage(`ssc: the server did not start: ${errorText(err)}`, 'Show Output', 'Open Settings')
      .then((choice) => {
        if (choice === 'Show Output') {
          output.show();
        } else if (choice === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'ssc.server');
        }
      });
  }
  updateStatus();
}

async function stopClient(): Promise<void> {
  setOffered(new Set());
  acceptFallback?.dispose();
  acceptFallback = undefined;
  clientListeners.forEach((d) => d.dispose());
  clientListeners = [];
  const c = client;
  client = undefined;
  if (c) {
    try {
      if (c.needsStop()) {
        await c.stop(5000);
      }
    } catch (err) {
      log(`Stopping the server: ${errorText(err)}`);
    }
    try {
      await c.dispose();
    } catch {
      // Already stopped (or never started).
    }
  }
}

async function restartClient(): Promise<void> {
  restarting = true;
  try {
    await stopClient();
  } finally {
    restarting = false;
  }
  await startClient();
}

type EditCommand = 'changeSignature' | 'moveSymbol' | 'extractFunction' | 'extractVariable' | 'inline';

/**
 * A palette/menu command running one of the server's edit commands on the active editor:
 * `build` makes its argument (undefined: the user cancelled); the middleware asks for what is
 * still missing (the change, the target) and shows the outcome.
 */
function editCommand(
  which: EditCommand,
  build: (sel: ReturnType<typeof editorSelection>) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>,
): vscode.Disposable {
  return command(CLIENT_COMMANDS[which], async () => {
    const sel = editorSelection();
    if (!serverOffers(which)) {
      return;
    }
    const arg = await build(sel);
    if (arg === undefined || !(await completeArguments(SERVER_COMMANDS[which], arg))) {
      return;
    }
    const result = await withProgress(`ssc: ${OPTIONAL_SERVER_COMMANDS[which].title}…`, () => executeServerCommand(SERVER_COMMANDS[which], [arg]));
    await showOutcome(requireClient(), result);
  });
}

function command(id: string, fn: (...args: unknown[]) => Promise<void>): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      await fn(...args);
    } catch (err) {
      reportError(id.replace(/^ssc-lsp\./, ''), err);
    }
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('ssc');
  statusItem = vscode.window.createStatusBarItem('ssc.status', vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'ssc';
  statusItem.command = CLIENT_COMMANDS.menu;
  statusItem.show();
  preview = new MarkdownPreview();
  context.subscriptions.push(output, statusItem, preview);
  updateStatus();

  context.subscriptions.push(
    command(CLIENT_COMMANDS.refactor, async () => {
      const sel = editorSelection();
      if (!serverOffers('refactor')) {
        return;
      }
      const instruction = await askInstruction();
      if (instruction === undefined) {
        return;
      }
      const result = await withProgress('ssc: refactoring…', () =>
        executeServerCommand(SERVER_COMMANDS.refactor, [{ textDocument: { uri: sel.uri }, range: sel.range, position: sel.position, instruction }]),
      );
      await showOutcome(requireClient(), result);
    }),
    command(CLIENT_COMMANDS.explain, async () => {
      const sel = editorSelection();
      if (!serverOffers('explain')) {
        return;
      }
      const result = await withProgress('ssc: explaining…', () =>
        executeServerCommand(SERVER_COMMANDS.explain, [{ textDocument: { uri: sel.uri }, range: sel.range }]),
      );
      await showMarkdownResult('explain', result);
    }),
    editCommand('changeSignature', (sel) => ({ textDocument: { uri: sel.uri }, position: sel.position })),
    editCommand('moveSymbol', (sel) => ({ textDocument: { uri: sel.uri }, position: sel.position })),
    editCommand('extractFunction', (sel) => extractArgument('function', sel)),
    editCommand('extractVariable', (sel) => extractArgument('variable', sel)),
    editCommand('inline', (sel) => ({ textDocument: { uri: sel.uri }, position: sel.position })),
    command(CLIENT_COMMANDS.suggestNames, async () => {
      const sel = editorSelection();
      if (!serverOffers('suggestNames')) {
        return;
      }
      const result = await withProgress('ssc: suggesting names…', () =>
        executeServerCommand(SERVER_COMMANDS.suggestNames, [{ textDocument: { uri: sel.uri }, position: sel.position }]),
      );
      await renameToSuggestion(result, sel.editor.document.uri, sel.editor.selection.active);
    }),
    command(CLIENT_COMMANDS.showContext, async () => {
      const sel = editorSelection();
      const budget = sscConfig(sel.editor.document.uri).get<number>('context.budgetChars');
      const params = { textDocument: { uri: sel.uri }, position: sel.position, budgetChars: budget };
      const result = await withProgress('ssc: gathering context…', () => requireClient().sendRequest(CUSTOM_REQUESTS.context, params));
      await showMarkdownResult('context', result);
    }),
    command(CLIENT_COMMANDS.showSymbol, async () => {
      const sel = editorSelection();
      const result = await requireClient().sendRequest(CUSTOM_REQUESTS.symbol, { textDocument: { uri: sel.uri }, position: sel.position });
      await preview.show('symbol', jsonMarkdown('ssc symbol', result));
    }),
    command(CLIENT_COMMANDS.showStats, async () => {
      const result = await requireClient().sendRequest(CUSTOM_REQUESTS.stats, {});
      status.stats(statsFromResult(result));
      updateStatus();
      await preview.show('stats', jsonMarkdown('ssc map statistics', result));
    }),
    command(CLIENT_COMMANDS.reindex, async () => {
      requireClient();
      if (!serverOffers('reindex')) {
        return;
      }
      await executeServerCommand(SERVER_COMMANDS.reindex, []);
      void vscode.window.setStatusBarMessage('ssc: re-indexing', 3000);
    }),
    command(CLIENT_COMMANDS.restart, async () => {
      await restartClient();
    }),
    command(CLIENT_COMMANDS.showOutput, async () => {
      output.show(true);
    }),
    command(CLIENT_COMMANDS.menu, async () => {
      const all: (vscode.QuickPickItem & { id: string; needs?: string })[] = [
        { label: '$(book) Show context for the cursor', id: CLIENT_COMMANDS.showContext },
        { label: '$(comment-discussion) Explain the selection', id: CLIENT_COMMANDS.explain, needs: SERVER_COMMANDS.explain },
        { label: '$(wand) Refactor the selection…', id: CLIENT_COMMANDS.refactor, needs: SERVER_COMMANDS.refactor },
        { label: '$(symbol-method) Change the signature…', id: CLIENT_COMMANDS.changeSignature, needs: SERVER_COMMANDS.changeSignature },
        { label: '$(file-symlink-file) Move the symbol to another module…', id: CLIENT_COMMANDS.moveSymbol, needs: SERVER_COMMANDS.moveSymbol },
        { label: '$(symbol-function) Extract a function', id: CLIENT_COMMANDS.extractFunction, needs: SERVER_COMMANDS.extractFunction },
        { label: '$(symbol-variable) Extract a variable', id: CLIENT_COMMANDS.extractVariable, needs: SERVER_COMMANDS.extractVariable },
        { label: '$(fold-up) Inline', id: CLIENT_COMMANDS.inline, needs: SERVER_COMMANDS.inline },
        { label: '$(symbol-key) Suggest names…', id: CLIENT_COMMANDS.suggestNames, needs: SERVER_COMMANDS.suggestNames },
        { label: '$(graph) Show map statistics', id: CLIENT_COMMANDS.showStats },
        { label: '$(refresh) Re-index the workspace', id: CLIENT_COMMANDS.reindex, needs: SERVER_COMMANDS.reindex },
        { label: '$(debug-restart) Restart the server', id: CLIENT_COMMANDS.restart },
        { label: '$(output) Show output', id: CLIENT_COMMANDS.showOutput },
      ];
      // Only what the running server offers.
      const items = all.filter((item) => item.needs === undefined || offered.has(item.needs));
      const pick = await vscode.window.showQuickPick(items, { title: 'ssc', placeHolder: renderStatus(status.current).tooltip.split('\n')[0] });
      if (pick) {
        await vscode.commands.executeCommand(pick.id);
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('ssc.server')) {
        log('ssc.server.* changed: restarting the server');
        void restartClient();
      }
    }),
  );

  const envWatch = await onPythonEnvironmentChange(() => {
    if ((sscConfig().get<string>('server.path') ?? '').trim() === '') {
      log('The active Python environment changed: restarting the server');
      void restartClient();
    }
  });
  if (envWatch) {
    context.subscriptions.push(envWatch);
  }

  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
