/**
 * Activates the real extension bundle (out/extension.js, else the tsc output)
 * inside node with a mocked `vscode` module, against the stub server
 * (editors/neovim/tests/stub_lsp.py, needs pygls: SSC_PYTHON or python3).
 * Checks that vscode-languageclient starts the server with our
 * initializationOptions, answers workspace/configuration, that indexing progress
 * and ssc/stats reach the status bar, and that the commands show their results.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Module = require('node:module');

import { LANGUAGE_IDS } from '../src/languages';
import { buildServerSettings, readerFromObject } from '../src/settings';
import { createVscodeMock, makeDocument, MockState, Position, Selection, Uri } from './vscodeMock';

const ROOT = path.resolve(__dirname, '..', '..');
const STUB = path.resolve(ROOT, '..', 'neovim', 'tests', 'stub_lsp.py');
const PYTHON = process.env.SSC_PYTHON || 'python3';

function newState(settings: Record<string, unknown>, workspaceFolder?: string): MockState {
  return {
    settings,
    workspaceFolder,
    commands: new Map(),
    executed: [],
    contentProviders: new Map(),
    messages: [],
    statusItems: [],
    output: [],
  };
}

let currentMock: Record<string, unknown> = {};
let installed = false;
function loadExtension(state: MockState): { activate(ctx: unknown): Promise<void>; deactivate(): Promise<void> } {
  currentMock = createVscodeMock(state);
  if (!installed) {
    installed = true;
    const mod = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
    const original = mod._load;
    mod._load = function (request: string, ...rest: unknown[]) {
      if (request === 'vscode') return currentMock;
      return original.call(this, request, ...rest);
    };
  }
  const bundle = path.join(ROOT, 'out', 'extension.js');
  const file = fs.existsSync(bundle) ? bundle : path.join(ROOT, 'out-test', 'src', 'extension.js');
  delete require.cache[file];
  return require(file);
}

function context(): { subscriptions: { dispose(): unknown }[] } {
  return { subscriptions: [] };
}

async function until(what: string, cond: () => boolean, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function previewText(state: MockState, name: string): string {
  const provider = state.contentProviders.get('ssc-preview');
  assert.ok(provider, 'the preview content provider is registered');
  return provider.provideTextDocumentContent(Uri.from({ scheme: 'ssc-preview', path: `/ssc ${name}.md` }));
}

function jsonBlock(markdown: string): Record<string, unknown> {
  const m = /```json\n([\s\S]*?)\n```/.exec(markdown);
  assert.ok(m, `a json block in ${markdown.slice(0, 200)}`);
  return JSON.parse(m[1]);
}

test('extension against the stub server (mocked VS Code API)', async (t) => {
  const probe = spawnSync(PYTHON, ['-c', 'import pygls, lsprotocol'], { stdio: 'ignore' });
  if (probe.status !== 0) {
    t.skip(`${PYTHON} cannot import pygls (set SSC_PYTHON): the stub server cannot run`);
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssc-vscode-smoke-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const ws = path.join(tmp, 'ws');
  fs.mkdirSync(path.join(ws, 'pkg'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'pkg', 'util.py'), 'def helper(x):\n    return x * 2\n');
  const mainText = 'from pkg.util import helper\n\n\ndef main():\n    return helper(21)\n';
  fs.writeFileSync(path.join(ws, 'main.py'), mainText);
  const wrapper = path.join(tmp, 'ssc-lsp');
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(PYTHON)} ${JSON.stringify(STUB)} "$@"\n`, { mode: 0o755 });

  const userSettings = { 'llm.provider': 'none', 'feedback.enabled': false, 'map.exclude': ['build/**'], 'llm.model': 'm1' };
  const settings: Record<string, unknown> = { 'ssc.server.path': wrapper };
  for (const [k, v] of Object.entries(userSettings)) settings[`ssc.${k}`] = v;
  const state = newState(settings, ws);
  const ext = loadExtension(state);

  if (process.env.SSC_DEBUG) {
    process.on('exit', () => console.error(state.output.join('\n')));
  }
  await ext.activate(context());
  try {
    assert.ok(
      state.output.some((l) => l.includes(`Server command (setting): ${wrapper}`)),
      `the output names the server: ${state.output.join('\n').slice(0, 500)}`,
    );
    for (const id of ['ssc-lsp.refactor', 'ssc-lsp.explain', 'ssc-lsp.showContext', 'ssc-lsp.reindex', 'ssc-lsp.restart', 'ssc-lsp.showStats', 'ssc-lsp.menu']) {
      assert.ok(state.commands.has(id), `command ${id}`);
    }
    // vscode-languageclient registered the server's commands under their own ids.
    assert.ok(state.commands.has('ssc.acceptCompletion'), 'ssc.acceptCompletion forwarded to the server');

    // The client's features serve every language the server maps, not only Python.
    const selector = state.providerSelectors?.get('definition') as { language?: string; scheme?: string }[] | undefined;
    assert.ok(Array.isArray(selector), 'vscode-languageclient registered a definition provider');
    for (const language of LANGUAGE_IDS) {
      assert.ok(selector.some((f) => f.language === language && f.scheme === 'file'), `definition serves ${language}: ${JSON.stringify(selector)}`);
    }

    // Indexing progress ends -> ssc/stats -> "ssc: N files" in the status bar.
    const item = state.statusItems[0];
    await until('the status bar to show the map size', () => /ssc: \d+ files?/.test(item.text));
    assert.match(String(item.tooltip), /Server: /);

    // The settings reached the server both ways.
    await state.commands.get('ssc-lsp.showStats')!();
    const stats = jsonBlock(previewText(state, 'stats'));
    const expected = buildServerSettings(readerFromObject(userSettings));
    assert.deepEqual(stats.initializationOptions, expected, 'initializationOptions');
    assert.deepEqual(stats.configuration, expected, 'workspace/configuration "ssc"');
    assert.ok(state.executed.some((e) => e.command === 'markdown.showPreviewToSide'), 'markdown preview opened');

    // Commands on an editor.
    const doc = makeDocument(Uri.file(path.join(ws, 'main.py')), mainText, 'python');
    state.activeTextEditor = { document: doc, selection: new Selection(new Position(4, 13), new Position(4, 13)) };
    await state.commands.get('ssc-lsp.showContext')!();
    assert.match(previewText(state, 'context'), /# context \(stub\)/);
    await state.commands.get('ssc-lsp.explain')!();
    assert.match(previewText(state, 'explain'), /stub explanation/);
    state.inputBoxAnswer = 'rename x to y';
    await state.commands.get('ssc-lsp.refactor')!();
    // The outcome, its note in the preview (the user sees what the check could not do).
    assert.ok(state.messages.some((m) => m.text === 'ssc: stub refactor: rename x to y — checked: no problems (1 note)'), JSON.stringify(state.messages));
    assert.match(previewText(state, 'refactor'), /## Notes \(1\)\n\n- stub note: 1 caller could not be updated/);
    await refactorCommands(state, doc.uri);
    await state.commands.get('ssc-lsp.reindex')!();
    // A server command run from elsewhere (code action): the middleware shows its result.
    await state.commands.get('ssc.showContext')!('file:///x.py', { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    assert.match(previewText(state, 'context'), /# context \(stub\)/);
    // A settings change reaches the server as the normalized object.
    state.changeSettings!({ 'ssc.llm.model': 'm2' });
    const expected2 = buildServerSettings(readerFromObject({ ...userSettings, 'llm.model': 'm2' }));
    let changes: unknown[] = [];
    await until('didChangeConfiguration with the new model', () => {
      void state.commands.get('ssc-lsp.showStats')!();
      changes = jsonBlock(previewText(state, 'stats')).didChangeConfiguration as unknown[];
      return changes.some((c) => JSON.stringify(c) === JSON.stringify({ ssc: expected2 }));
    });
    for (const c of changes) {
      assert.deepEqual(Object.keys((c as { ssc: object }).ssc).sort(), Object.keys(expected).sort(), 'only server settings are sent');
    }
    assert.deepEqual(state.messages.filter((m) => m.level === 'error'), [], 'no error messages');
  } finally {
    await ext.deactivate();
  }
  assert.match(state.statusItems[0].text, /circle-slash|ssc/);
});

const NEW_COMMANDS = ['changeSignature', 'moveSymbol', 'extractFunction', 'extractVariable', 'inline', 'suggestNames'];

/**
 * The refactor commands of issue 11 against the stub, which refuses any argument but the one
 * object of the contract (an error message, failing 'no error messages') and answers like the
 * server's `deliver`.
 */
async function refactorCommands(state: MockState, uri: Uri): Promise<void> {
  const contextKeys = new Map(state.executed.filter((e) => e.command === 'setContext').map((e) => [e.args[0], e.args[1]]));
  for (const name of NEW_COMMANDS) {
    assert.equal(contextKeys.get(`ssc.offers.${name}`), true, `ssc.offers.${name}`);
  }
  const said = (text: string) => state.messages.some((m) => m.text === text);
  state.inputBoxAnswers = {
    'ssc: change signature': 'add timeout=10; remove verbose',
    'ssc: move symbol': 'pkg/other.py',
    'ssc: extract function': 'compute',
    'ssc: extract variable': '',
  };
  await state.commands.get('ssc-lsp.changeSignature')!();
  assert.ok(said('ssc: stub changeSignature add:timeout remove:verbose — checked: no problems'), JSON.stringify(state.messages));
  await state.commands.get('ssc-lsp.moveSymbol')!();
  assert.ok(said("ssc: stub move to pkg/other.py — 1 problem: stub problem: name 'helper' no longer resolves"), JSON.stringify(state.messages));
  assert.match(previewText(state, 'refactor'), /`main\.py:5:12` \[unresolved\] stub problem: name 'helper' no longer resolves/);
  await state.commands.get('ssc-lsp.extractFunction')!();
  assert.ok(said('ssc: stub extractFunction compute — checked: no problems'), JSON.stringify(state.messages));
  await state.commands.get('ssc-lsp.extractVariable')!();
  assert.ok(said('ssc: stub extractVariable (model names it) — checked: no problems'), JSON.stringify(state.messages));
  await state.commands.get('ssc-lsp.inline')!();
  assert.ok(said('ssc: stub inline — checked: no problems'), JSON.stringify(state.messages));
  // suggestNames: a pick, then the standard rename with the name picked.
  let renamedTo: unknown;
  state.commands.set('vscode.executeDocumentRenameProvider', (_uri: unknown, _pos: unknown, name: unknown) => {
    renamedTo = name;
    return { entries: [] };
  });
  state.quickPick = (items) => items.find((i) => i.label === 'double');
  await state.commands.get('ssc-lsp.suggestNames')!();
  assert.equal(renamedTo, 'double');
  // As a code action would run it: the middleware asks for what is missing and shows the outcome.
  state.inputBoxAnswers['ssc: move symbol'] = 'pkg/elsewhere.py';
  await state.commands.get('ssc.moveSymbol')!({ textDocument: { uri: uri.toString() }, position: { line: 4, character: 13 } });
  assert.ok(said("ssc: stub move to pkg/elsewhere.py — 1 problem: stub problem: name 'helper' no longer resolves"), JSON.stringify(state.messages));
  // The menu lists them.
  let labels: string[] = [];
  state.quickPick = (items) => {
    labels = items.map((i) => i.label);
    return undefined;
  };
  await state.commands.get('ssc-lsp.menu')!();
  assert.equal(labels.filter((l) => /signature|Move the symbol|Extract a|Inline|Suggest names|Refactor|Explain/.test(l)).length, 8, labels.join(' | '));
  state.quickPick = undefined;
  state.inputBoxAnswers = undefined;
}

test('extension against a server without the refactor commands: hidden, and said to be unavailable', async (t) => {
  const probe = spawnSync(PYTHON, ['-c', 'import pygls, lsprotocol'], { stdio: 'ignore' });
  if (probe.status !== 0) {
    t.skip(`${PYTHON} cannot import pygls (set SSC_PYTHON): the stub server cannot run`);
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssc-vscode-without-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const ws = path.join(tmp, 'ws');
  fs.mkdirSync(ws, { recursive: true });
  const mainText = 'def main():\n    return 1\n';
  fs.writeFileSync(path.join(ws, 'main.py'), mainText);
  const without = [...NEW_COMMANDS.map((n) => `ssc.${n}`), 'ssc.refactor', 'ssc.explain', 'ssc.previewEdit'].join(',');
  const wrapper = path.join(tmp, 'ssc-lsp');
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(PYTHON)} ${JSON.stringify(STUB)} --without ${without} "$@"\n`, { mode: 0o755 });
  const state = newState({ 'ssc.server.path': wrapper, 'ssc.llm.provider': 'none' }, ws);
  const ext = loadExtension(state);
  await ext.activate(context());
  try {
    await until('the server to run', () => state.executed.some((e) => e.command === 'setContext' && e.args[0] === 'ssc.offers.inline'));
    const contextKeys = new Map(state.executed.filter((e) => e.command === 'setContext').map((e) => [e.args[0], e.args[1]]));
    for (const name of [...NEW_COMMANDS, 'refactor', 'explain']) {
      assert.equal(contextKeys.get(`ssc.offers.${name}`), false, `ssc.offers.${name}`);
    }
    assert.equal(contextKeys.get('ssc.offers.reindex'), true);
    const doc = makeDocument(Uri.file(path.join(ws, 'main.py')), mainText, 'python');
    state.activeTextEditor = { document: doc, selection: new Selection(new Position(1, 11), new Position(1, 11)) };
    state.inputBoxAnswer = 'never asked';
    for (const name of NEW_COMMANDS) {
      await state.commands.get(`ssc-lsp.${name}`)!();
    }
    const warnings = state.messages.filter((m) => m.level === 'warning').map((m) => m.text);
    for (const name of NEW_COMMANDS) {
      assert.ok(warnings.some((w) => w.includes(`does not offer ssc.${name}`)), `${name}: ${JSON.stringify(warnings)}`);
    }
    let labels: string[] = [];
    state.quickPick = (items) => {
      labels = items.map((i) => i.label);
      return undefined;
    };
    await state.commands.get('ssc-lsp.menu')!();
    assert.deepEqual(labels.filter((l) => /signature|Move the symbol|Extract a|Inline|Suggest names|Refactor|Explain/.test(l)), [], labels.join(' | '));
    assert.deepEqual(state.messages.filter((m) => m.level === 'error'), [], 'no error messages');
  } finally {
    await ext.deactivate();
  }
});

test('extension with a server that cannot start: error in the status bar, no exception', async () => {
  const state = newState({ 'ssc.server.path': '/nonexistent/ssc-lsp' });
  const ext = loadExtension(state);
  await ext.activate(context());
  try {
    const item = state.statusItems[0];
    await until('the error state', () => item.text.includes('$(error)'));
    assert.match(String(item.tooltip), /Last error: /);
    assert.ok(state.messages.some((m) => m.level === 'error' && m.text.includes('did not start')), JSON.stringify(state.messages));
  } finally {
    await ext.deactivate();
  }
});

/** The real server's argv: SSC_LSP_CMD (JSON array or words), else ssc-lsp on PATH; undefined if absent. */
function realServer(): string[] | undefined {
  const raw = (process.env.SSC_LSP_CMD ?? '').trim() || 'ssc-lsp';
  const argv: string[] = raw.startsWith('[') ? JSON.parse(raw) : raw.split(/\s+/);
  const probe = spawnSync(argv[0], [...argv.slice(1), '--version'], { stdio: 'ignore', timeout: 30000 });
  return probe.status === 0 ? argv : undefined;
}

test('extension against the real server (mocked VS Code API)', async (t) => {
  const argv = realServer();
  if (!argv) {
    assert.notEqual(process.env.SSC_REQUIRE_SERVER, '1', 'ssc-lsp is not on PATH (SSC_REQUIRE_SERVER=1: no skipping)');
    t.skip('ssc-lsp is not on PATH (or SSC_LSP_CMD does not run)');
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssc-vscode-real-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const ws = path.join(tmp, 'ws');
  fs.mkdirSync(path.join(ws, 'pkg'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'pkg', '__init__.py'), '');
  fs.writeFileSync(path.join(ws, 'pkg', 'util.py'), 'def helper(x):\n    """Double x."""\n    return x * 2\n');
  const mainText = 'from pkg.util import helper\n\n\ndef main():\n    return helper(21)\n';
  fs.writeFileSync(path.join(ws, 'main.py'), mainText);
  const wrapper = path.join(tmp, 'ssc-lsp');
  const quoted = argv.map((a) => JSON.stringify(a)).join(' ');
  fs.writeFileSync(wrapper, `#!/bin/sh\nSSC_LSP_CACHE_DIR=${JSON.stringify(path.join(tmp, 'cache'))} exec ${quoted} "$@"\n`, { mode: 0o755 });

  const state = newState({ 'ssc.server.path': wrapper, 'ssc.llm.provider': 'none', 'ssc.feedback.enabled': false }, ws);
  const ext = loadExtension(state);
  await ext.activate(context());
  try {
    const item = state.statusItems[0];
    await until('the status bar to show the map size', () => /ssc: 3 files/.test(item.text), 20000).catch((err) => {
      throw new Error(`${err.message}: "${item.text}" ${String(item.tooltip)}\n${state.output.slice(-20).join('\n')}`);
    });
    // What the server offers decides what the menus show (context keys).
    const contextKeys = new Map(state.executed.filter((e) => e.command === 'setContext').map((e) => [e.args[0], e.args[1]]));
    assert.equal(contextKeys.get('ssc.offers.reindex'), true);
    // Each optional command is offered exactly when this server lists it.
    // vscode-languageclient registers every command the server lists under its own id.
    const listed = new Set([...state.commands.keys()].filter((id) => id.startsWith('ssc.')));
    for (const name of [...NEW_COMMANDS, 'refactor', 'explain']) {
      assert.equal(contextKeys.get(`ssc.offers.${name}`), listed.has(`ssc.${name}`), `ssc.offers.${name}`);
    }

    const doc = makeDocument(Uri.file(path.join(ws, 'main.py')), mainText, 'python');
    state.activeTextEditor = { document: doc, selection: new Selection(new Position(4, 13), new Position(4, 13)) };
    await state.commands.get('ssc-lsp.showContext')!();
    assert.match(previewText(state, 'context'), /^# ssc context at main\.py:5/);
    assert.match(previewText(state, 'context'), /def helper\(x\)/);
    // The server command, as a code action would run it: the middleware shows the markdown.
    await state.commands.get('ssc.showContext')!({ textDocument: { uri: doc.uri.toString() }, position: { line: 4, character: 13 } });
    assert.match(previewText(state, 'context'), /^# ssc context at main\.py:5/);

    // Not listed by this server: a clear warning, no request, no error.
    for (const name of ['refactor', 'explain', ...NEW_COMMANDS].filter((n) => !listed.has(`ssc.${n}`))) {
      await state.commands.get(`ssc-lsp.${name}`)!();
      const warnings = state.messages.filter((m) => m.level === 'warning').map((m) => m.text);
      assert.ok(warnings.some((w) => w.includes(`is not available in this server version`) && w.endsWith(`does not offer ssc.${name}).`)), `${name}: ${JSON.stringify(warnings)}`);
    }

    await state.commands.get('ssc-lsp.reindex')!();
    assert.ok(state.messages.some((m) => m.text === 'ssc: re-indexing'), JSON.stringify(state.messages));
    await state.commands.get('ssc-lsp.showStats')!();
    assert.equal(jsonBlock(previewText(state, 'stats')).files, 3);
    assert.deepEqual(state.messages.filter((m) => m.level === 'error'), [], 'no error messages');
  } finally {
    await ext.deactivate();
  }
});
