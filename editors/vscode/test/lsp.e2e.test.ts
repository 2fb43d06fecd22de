/**
 * Drives the language server through vscode-jsonrpc/node, the layer under
 * vscode-languageclient: spawn, initialize with the extension's
 * initializationOptions, open a document, definition, references, the ssc/*
 * custom requests, the server commands the extension runs, and (against ssc-lsp)
 * an inline completion from a scripted model; shutdown, exit.
 *
 *   SSC_LSP_CMD   the server command line (default "ssc-lsp"); a JSON array
 *                 (["python3", "-m", "ssc_lsp"]) or words split on spaces
 *   SSC_LSP_TIMEOUT_MS  per-request timeout (default 60000)
 *   SSC_REQUIRE_SERVER=1  fail instead of skipping when the server cannot be spawned (CI)
 *   SSC_PYTHON    python for the scripted model, tests/fake_openai.py of this
 *                 repository (default python3); without it the model part is skipped
 *
 * Skips, with a message, when the command cannot be spawned.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

import { buildServerSettings, configurationForSection, NOT_OURS_SECTION, readerFromObject } from '../src/settings';

function serverCommand(): string[] {
  const raw = (process.env.SSC_LSP_CMD ?? '').trim() || 'ssc-lsp';
  if (raw.startsWith('[')) {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((x) => typeof x === 'string')) {
      throw new Error(`SSC_LSP_CMD must be a non-empty JSON array of strings: ${raw}`);
    }
    return parsed as string[];
  }
  return raw.split(/\s+/);
}

const TIMEOUT_MS = Number(process.env.SSC_LSP_TIMEOUT_MS ?? 60000);

function withTimeout<T>(what: string, p: Promise<T>, ms = TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

/** Spawns the server; resolves undefined (with the reason) when it cannot be spawned at all. */
function trySpawn(argv: string[], cwd: string): Promise<{ proc?: ChildProcess; reason?: string }> {
  return new Promise((resolve) => {
    let proc: ChildProcess;
    try {
      proc = spawn(argv[0], argv.slice(1), { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env } });
    } catch (err) {
      resolve({ reason: String(err) });
      return;
    }
    proc.once('error', (err) => resolve({ reason: err.message }));
    proc.once('spawn', () => resolve({ proc }));
  });
}

function makeWorkspace(): { dir: string; mainPath: string; mainText: string; utilPath: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssc-vscode-e2e-'));
  fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "fixture"\nversion = "0.0.0"\n');
  fs.mkdirSync(path.join(dir, 'pkg'));
  fs.writeFileSync(path.join(dir, 'pkg', '__init__.py'), '');
  const utilPath = path.join(dir, 'pkg', 'util.py');
  fs.writeFileSync(utilPath, 'def helper(x):\n    """Double x."""\n    return x * 2\n');
  const mainText = 'from pkg.util import helper\n\n\ndef main():\n    return helper(21)\n\n\ndef other():\n    return \n';
  const mainPath = path.join(dir, 'main.py');
  fs.writeFileSync(mainPath, mainText);
  return { dir, mainPath, mainText, utilPath };
}

const FAKE_OPENAI = path.resolve(__dirname, '..', '..', '..', '..', 'tests', 'fake_openai.py');

/** tests/fake_openai.py on loopback, scripted to answer "helper(2)"; undefined (with why) if it cannot run. */
async function startFakeModel(dir: string): Promise<{ url?: string; stop(): void; why?: string }> {
  const none = { stop: () => undefined };
  if (!fs.existsSync(FAKE_OPENAI)) {
    return { ...none, why: `${FAKE_OPENAI} not found` };
  }
  const script = path.join(dir, '.fake-openai.json');
  fs.writeFileSync(script, JSON.stringify({ default: { text: 'helper(2)' }, models: ['fake-coder'] }));
  const python = process.env.SSC_PYTHON || 'python3';
  const proc = spawn(python, [FAKE_OPENAI, '--port', '0', '--script', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string | undefined>((resolve) => {
    let out = '';
    const timer = setTimeout(() => resolve(undefined), 15000);
    proc.once('error', () => resolve(undefined));
    proc.once('exit', () => resolve(undefined));
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(/^\d+$/.test(line.trim()) ? line.trim() : undefined);
      }
    });
  });
  const stop = () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
  };
  if (!port) {
    stop();
    return { ...none, why: `${python} ${FAKE_OPENAI} did not start` };
  }
  return { url: `http://127.0.0.1:${port}/v1`, stop };
}

test('language server: initialize, open, ssc/* requests, shutdown', async (t) => {
  const argv = serverCommand();
  const ws = makeWorkspace();
  t.after(() => fs.rmSync(ws.dir, { recursive: true, force: true }));

  const { proc, reason } = await trySpawn(argv, ws.dir);
  if (!proc) {
    const why = `cannot spawn the server ${JSON.stringify(argv)} (${reason}); set SSC_LSP_CMD or put ssc-lsp on PATH`;
    assert.notEqual(process.env.SSC_REQUIRE_SERVER, '1', `${why} (SSC_REQUIRE_SERVER=1: no skipping)`);
    t.skip(why);
    return;
  }
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let shuttingDown = false;
  const died = exited.then((code) => {
    if (!shuttingDown) throw new Error(`the server exited early (status ${code})`);
    return new Promise<never>(() => undefined);
  });
  died.catch(() => undefined);
  /** A request that fails fast when the server dies. */
  const ask = <T>(what: string, p: Promise<T>): Promise<T> => Promise.race([withTimeout(what, p), died]);
  let connection: MessageConnection | undefined;
  t.after(() => {
    connection?.dispose();
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });

  // The model: scripted, on loopback, configured through the extension's settings.
  const model = await startFakeModel(ws.dir);
  t.after(() => model.stop());
  const userSettings: Record<string, unknown> = model.url
    ? { 'llm.provider': 'openai', 'llm.baseUrl': model.url, 'llm.model': 'fake-coder', 'llm.api': 'chat', 'llm.retries': 0, 'completion.debounceMs': 0, 'feedback.enabled': false }
    : { 'llm.provider': 'none', 'feedback.enabled': false };
  if (!model.url) {
    assert.notEqual(process.env.SSC_REQUIRE_SERVER, '1', `no scripted model (${model.why}) (SSC_REQUIRE_SERVER=1: no skipping)`);
    t.diagnostic(`no scripted model (${model.why}): the inline completion check is skipped`);
  }

  try {
    connection = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const settings = buildServerSettings(readerFromObject(userSettings));
    const seen = { configuration: 0, progressBegin: [] as string[], progressEnd: 0, diagnostics: 0 };

    // What vscode-languageclient answers on the extension's behalf.
    connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => {
      seen.configuration += 1;
      return params.items.map((item) => {
        const value = configurationForSection(item.section, settings);
        return value === NOT_OURS_SECTION ? null : value;
      });
    });
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('client/unregisterCapability', () => null);
    connection.onRequest('workspace/applyEdit', () => ({ applied: true }));
    connection.onRequest('window/showMessageRequest', () => null);
    connection.onRequest('workspace/workspaceFolders', () => [{ uri: pathToFileURL(ws.dir).href, name: 'fixture' }]);
    connection.onNotification('$/progress', (p: { value?: { kind?: string; title?: string } }) => {
      if (p.value?.kind === 'begin') seen.progressBegin.push(p.value.title ?? '');
      if (p.value?.kind === 'end') seen.progressEnd += 1;
    });
    connection.onNotification('textDocument/publishDiagnostics', () => {
      seen.diagnostics += 1;
    });
    connection.onNotification('window/logMessage', () => undefined);
    connection.onNotification('window/showMessage', () => undefined);
    connection.onNotification('telemetry/event', () => undefined);
    connection.listen();

    const rootUri = pathToFileURL(ws.dir).href;
    const init = await ask(
      'initialize',
      connection.sendRequest<{ capabilities: Record<string, unknown>; serverInfo?: { name: string } }>('initialize', {
        processId: process.pid,
        clientInfo: { name: 'ssc-e2e (vscode-jsonrpc)', version: '0' },
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: 'fixture' }],
        initializationOptions: settings,
        capabilities: {
          workspace: { configuration: true, workspaceFolders: true, applyEdit: true, didChangeConfiguration: { dynamicRegistration: true } },
          window: { workDoneProgress: true, showMessage: {} },
          textDocument: {
            synchronization: { didSave: true },
            completion: { completionItem: { snippetSupport: false } },
            hover: { contentFormat: ['markdown', 'plaintext'] },
            definition: {},
            references: {},
            rename: { prepareSupport: true },
            publishDiagnostics: {},
            // What vscode-languageclient 9 declares with ProposedFeatures (the extension registers them).
            inlineCompletion: {},
          },
        },
      }),
    );
    assert.ok(init && typeof init.capabilities === 'object', 'initialize returned capabilities');
    await connection.sendNotification('initialized', {});

    const uri = pathToFileURL(ws.mainPath).href;
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text: ws.mainText },
    });

    const real = init.serverInfo?.name === 'ssc-lsp';
    const offered = ((init.capabilities.executeCommandProvider as { commands?: string[] } | undefined)?.commands ?? []);
    for (const command of ['ssc.reindex', 'ssc.showContext', 'ssc.acceptCompletion']) {
      assert.ok(offered.includes(command), `the server offers ${command}: ${JSON.stringify(offered)}`);
    }

    // Wait for the index (ssc-lsp: ssc/status; the stub has none and is ready at once).
    const deadline = Date.now() + TIMEOUT_MS;
    while (real) {
      const s = await ask('ssc/status', connection.sendRequest<{ ready?: boolean }>('ssc/status', {}));
      if (s.ready) break;
      if (Date.now() > deadline) throw new Error(`the map is not ready: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const stats = await ask('ssc/stats', connection.sendRequest<unknown>('ssc/stats', {}));
    assert.ok(stats !== null && typeof stats === 'object', `ssc/stats returns an object, got ${JSON.stringify(stats)}`);

    // Cursor on the call of helper() in main().
    const position = { line: 4, character: ws.mainText.split('\n')[4].indexOf('helper') + 2 };
    const utilUri = pathToFileURL(ws.utilPath).href;
    type Loc = { uri?: string; targetUri?: string; range?: { start: { line: number } } };
    const asList = (r: unknown): Loc[] => (Array.isArray(r) ? r : r ? [r as Loc] : []);
    const defs = asList(await ask('definition', connection.sendRequest('textDocument/definition', { textDocument: { uri }, position })));
    assert.ok(defs.some((d) => (d.uri ?? d.targetUri) === utilUri), `definition in pkg/util.py: ${JSON.stringify(defs)}`);
    const refs = asList(await ask('references', connection.sendRequest('textDocument/references', { textDocument: { uri }, position, context: { includeDeclaration: true } })));
    assert.ok(refs.some((r) => r.uri === utilUri) && refs.some((r) => r.uri === uri && r.range?.start.line === 4), `references: ${JSON.stringify(refs)}`);

    const ctx = await ask(
      'ssc/context',
      connection.sendRequest<{ items?: unknown; markdown?: unknown }>('ssc/context', { textDocument: { uri }, position, budgetChars: 4000 }),
    );
    assert.ok(ctx !== null && typeof ctx === 'object', 'ssc/context returns an object');
    assert.ok(Array.isArray(ctx.items), `ssc/context has items[]: ${JSON.stringify(ctx).slice(0, 300)}`);
    assert.equal(typeof ctx.markdown, 'string', 'ssc/context has markdown');
    for (const item of ctx.items as Record<string, unknown>[]) {
      for (const key of ['path', 'start_line', 'end_line']) {
        assert.ok(key in item, `context item has ${key}: ${JSON.stringify(item).slice(0, 200)}`);
      }
    }

    // The server commands the extension runs.
    const shown = await ask('ssc.showContext', connection.sendRequest<unknown>('workspace/executeCommand', { command: 'ssc.showContext', arguments: [{ textDocument: { uri }, position }] }));
    assert.equal(typeof shown, 'string', `ssc.showContext returns markdown: ${JSON.stringify(shown).slice(0, 200)}`);
    assert.match(shown as string, /context/);
    await ask('ssc.reindex', connection.sendRequest('workspace/executeCommand', { command: 'ssc.reindex', arguments: [] }));

    // Inline completion (ghost text), from the scripted model, checked against the map.
    if (real && model.url) {
      const lines = ws.mainText.split('\n');
      const at = { line: lines.length - 2, character: lines[lines.length - 2].length };
      const inline = await ask(
        'textDocument/inlineCompletion',
        connection.sendRequest<{ items: { insertText: string; command?: { command: string; arguments?: unknown[] } }[] }>('textDocument/inlineCompletion', {
          textDocument: { uri },
          position: at,
          context: { triggerKind: 1 },
        }),
      );
      assert.ok(inline && Array.isArray(inline.items) && inline.items.length > 0, `an inline suggestion: ${JSON.stringify(inline)}`);
      assert.equal(inline.items[0].insertText, 'helper(2)');
      const accept = inline.items[0].command!;
      assert.equal(accept.command, 'ssc.acceptCompletion');
      await ask('ssc.acceptCompletion', connection.sendRequest('workspace/executeCommand', { command: accept.command, arguments: accept.arguments }));
      const after = await ask('ssc/stats', connection.sendRequest<{ check?: { passed?: number }; completion?: { accepted?: number } }>('ssc/stats', {}));
      assert.equal(after.check?.passed, 1, `the suggestion passed the map's check: ${JSON.stringify(after.check)}`);
      assert.equal(after.completion?.accepted, 1, 'the acceptance reached the server');
    }

    await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await ask('shutdown', connection.sendRequest('shutdown'));
    shuttingDown = true;
    await connection.sendNotification('exit');
    const code = await withTimeout('exit', exited, 10000);
    assert.equal(code, 0, 'the server exits with status 0 after shutdown + exit');
    t.diagnostic(
      `server ${JSON.stringify(argv)}: ${init.serverInfo?.name ?? '?'}; configuration requests ${seen.configuration}; ` +
        `progress ${JSON.stringify(seen.progressBegin)}; diagnostics notifications ${seen.diagnostics}`,
    );
  } catch (err) {
    const tail = stderr.split('\n').slice(-40).join('\n');
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- server stderr (tail) ---\n${tail}`);
  }
});
