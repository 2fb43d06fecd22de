/**
 * Drives the language server through vscode-jsonrpc/node, the layer under
 * vscode-languageclient: spawn, initialize with the extension's
 * initializationOptions, open a document, ask the ssc/* custom requests,
 * shutdown, exit.
 *
 *   SSC_LSP_CMD   the server command line (default "ssc-lsp"); a JSON array
 *                 (["python3", "-m", "ssc_lsp"]) or words split on spaces
 *   SSC_LSP_TIMEOUT_MS  per-request timeout (default 60000)
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

function makeWorkspace(): { dir: string; mainPath: string; mainText: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssc-vscode-e2e-'));
  fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "fixture"\nversion = "0.0.0"\n');
  fs.mkdirSync(path.join(dir, 'pkg'));
  fs.writeFileSync(path.join(dir, 'pkg', '__init__.py'), '');
  fs.writeFileSync(path.join(dir, 'pkg', 'util.py'), 'def helper(x):\n    """Double x."""\n    return x * 2\n');
  const mainText = 'from pkg.util import helper\n\n\ndef main():\n    return helper(21)\n';
  const mainPath = path.join(dir, 'main.py');
  fs.writeFileSync(mainPath, mainText);
  return { dir, mainPath, mainText };
}

test('language server: initialize, open, ssc/* requests, shutdown', async (t) => {
  const argv = serverCommand();
  const ws = makeWorkspace();
  t.after(() => fs.rmSync(ws.dir, { recursive: true, force: true }));

  const { proc, reason } = await trySpawn(argv, ws.dir);
  if (!proc) {
    t.skip(`cannot spawn the server ${JSON.stringify(argv)} (${reason}); set SSC_LSP_CMD or put ssc-lsp on PATH`);
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

  try {
    connection = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const settings = buildServerSettings(readerFromObject({ 'llm.provider': 'none', 'feedback.enabled': false }));
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

    const stats = await ask('ssc/stats', connection.sendRequest<unknown>('ssc/stats', {}));
    assert.ok(stats !== null && typeof stats === 'object', `ssc/stats returns an object, got ${JSON.stringify(stats)}`);

    // Cursor on the call of helper() in main().
    const position = { line: 4, character: ws.mainText.split('\n')[4].indexOf('helper') + 2 };
    const ctx = await ask(
      'ssc/context',
      connection.sendRequest<{ items?: unknown; markdown?: unknown }>('ssc/context', { textDocument: { uri }, position, budgetChars: 4000 }),
    );
    assert.ok(ctx !== null && typeof ctx === 'object', 'ssc/context returns an object');
    assert.ok(Array.isArray(ctx.items), `ssc/context has items[]: ${JSON.stringify(ctx).slice(0, 300)}`);
    assert.equal(typeof ctx.markdown, 'string', 'ssc/context has markdown');
    for (const item of ctx.items as Record<string, unknown>[]) {
      for (const key of ['path', 'startLine', 'endLine']) {
        assert.ok(key in item, `context item has ${key}: ${JSON.stringify(item).slice(0, 200)}`);
      }
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
