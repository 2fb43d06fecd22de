import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import {
  expandVariables,
  formatCommand,
  looksLikePython,
  parseTcpAddress,
  resolveServerCommand,
  ResolveDeps,
  ResolveInputs,
  whichSync,
} from '../src/serverPath';

function deps(executables: string[], pythonsWithModule: string[] = []): ResolveDeps & { probes: string[][] } {
  const probes: string[][] = [];
  return {
    probes,
    isExecutable: (file) => executables.includes(file),
    pythonHasModule: (python, module) => {
      probes.push([...python]);
      assert.equal(module, 'ssc_lsp');
      return pythonsWithModule.includes(python.join(' '));
    },
  };
}

function inputs(extra: Partial<ResolveInputs> = {}): ResolveInputs {
  return { env: { PATH: '/usr/local/bin:/usr/bin' }, platform: 'linux', homeDir: '/home/me', workspaceFolder: '/ws', ...extra };
}

test('the ssc.server.path setting wins', () => {
  const d = deps(['/venv/bin/ssc-lsp', '/usr/bin/ssc-lsp']);
  const r = resolveServerCommand(inputs({ configuredPath: '/opt/ssc/bin/ssc-lsp', pythonCommand: ['/venv/bin/python'] }), d);
  assert.deepEqual(r, { command: '/opt/ssc/bin/ssc-lsp', args: [], source: 'setting' });
  assert.equal(d.probes.length, 0);
});

test('the setting may use variables, a relative path and extra args', () => {
  const r = resolveServerCommand(
    inputs({ configuredPath: '${workspaceFolder}/.venv/bin/ssc-lsp', configuredArgs: ['--log-level', 'debug'] }),
    deps([]),
  );
  assert.deepEqual(r, { command: '/ws/.venv/bin/ssc-lsp', args: ['--log-level', 'debug'], source: 'setting' });
  assert.equal(resolveServerCommand(inputs({ configuredPath: '.venv/bin/ssc-lsp' }), deps([])).command, '/ws/.venv/bin/ssc-lsp');
  assert.equal(resolveServerCommand(inputs({ configuredPath: '~/bin/ssc-lsp' }), deps([])).command, '/home/me/bin/ssc-lsp');
  // A bare command name stays a PATH lookup for the OS.
  assert.equal(resolveServerCommand(inputs({ configuredPath: 'ssc-lsp' }), deps([])).command, 'ssc-lsp');
});

test('a Python interpreter in the setting runs the module', () => {
  const r = resolveServerCommand(inputs({ configuredPath: '/venv/bin/python3.11' }), deps([]));
  assert.deepEqual(r, { command: '/venv/bin/python3.11', args: ['-m', 'ssc_lsp'], source: 'setting' });
});

test('the console script of the active Python environment comes next', () => {
  const r = resolveServerCommand(inputs({ pythonCommand: ['/ws/.venv/bin/python'] }), deps(['/ws/.venv/bin/ssc-lsp', '/usr/bin/ssc-lsp']));
  assert.deepEqual(r, { command: '/ws/.venv/bin/ssc-lsp', args: [], source: 'python-env-script' });
});

test('else `python -m ssc_lsp` of the active environment when it has the package', () => {
  const d = deps(['/usr/bin/ssc-lsp'], ['/ws/.venv/bin/python']);
  const r = resolveServerCommand(inputs({ pythonCommand: ['/ws/.venv/bin/python'] }), d);
  assert.deepEqual(r, { command: '/ws/.venv/bin/python', args: ['-m', 'ssc_lsp'], source: 'python-env-module' });
});

test('a multi-word interpreter command (conda run) keeps its prefix', () => {
  const r = resolveServerCommand(inputs({ pythonCommand: ['conda', 'run', '-n', 'dev', 'python'] }), deps([], ['conda run -n dev python']));
  assert.deepEqual(r, { command: 'conda', args: ['run', '-n', 'dev', 'python', '-m', 'ssc_lsp'], source: 'python-env-module' });
});

test('then ssc-lsp on PATH', () => {
  const r = resolveServerCommand(inputs({ pythonCommand: ['/ws/.venv/bin/python'] }), deps(['/usr/bin/ssc-lsp']));
  assert.deepEqual(r, { command: '/usr/bin/ssc-lsp', args: [], source: 'path' });
  const r2 = resolveServerCommand(inputs(), deps(['/usr/local/bin/ssc-lsp', '/usr/bin/ssc-lsp']));
  assert.equal(r2.command, '/usr/local/bin/ssc-lsp');
});

test('then python3 -m ssc_lsp from PATH', () => {
  const r = resolveServerCommand(inputs(), deps(['/usr/bin/python3'], ['/usr/bin/python3']));
  assert.deepEqual(r, { command: '/usr/bin/python3', args: ['-m', 'ssc_lsp'], source: 'path-python-module' });
});

test('nothing found: a fallback with a hint', () => {
  const r = resolveServerCommand(inputs(), deps(['/usr/bin/python3']));
  assert.equal(r.source, 'fallback');
  assert.equal(r.command, 'ssc-lsp');
  assert.match(r.hint ?? '', /ssc\.server\.path/);
  const r2 = resolveServerCommand(inputs({ pythonCommand: ['/ws/.venv/bin/python'] }), deps([]));
  assert.equal(r2.source, 'fallback');
  assert.deepEqual([r2.command, ...r2.args], ['/ws/.venv/bin/python', '-m', 'ssc_lsp']);
  assert.match(r2.hint ?? '', /pip install ssc-lsp/);
});

test('Windows: Scripts\\ssc-lsp.exe next to the venv interpreter, PATHEXT lookup', () => {
  const win = { platform: 'win32' as const, env: { Path: 'C:\\Tools;C:\\Python312', PATHEXT: '.COM;.EXE;.BAT' } };
  const r = resolveServerCommand(inputs({ ...win, pythonCommand: ['C:\\proj\\.venv\\Scripts\\python.exe'], workspaceFolder: 'C:\\proj' }), deps(['C:\\proj\\.venv\\Scripts\\ssc-lsp.exe']));
  assert.deepEqual(r, { command: 'C:\\proj\\.venv\\Scripts\\ssc-lsp.exe', args: [], source: 'python-env-script' });
  assert.equal(whichSync('ssc-lsp', win.env, 'win32', (f) => f === 'C:\\Tools\\ssc-lsp.exe'), 'C:\\Tools\\ssc-lsp.exe');
});

test('helpers', () => {
  assert.equal(expandVariables('${env:HOME_X}/a', { env: { HOME_X: '/h' } }), '/h/a');
  assert.equal(expandVariables('${userHome}/a', { env: {}, homeDir: '/home/me' }), '/home/me/a');
  assert.equal(expandVariables('${workspaceFolder}', { env: {} }), '${workspaceFolder}');
  assert.ok(looksLikePython('/usr/bin/python3'));
  assert.ok(looksLikePython('C:\\Python312\\python.exe'));
  assert.ok(looksLikePython('python3.12'));
  assert.ok(!looksLikePython('/usr/bin/ssc-lsp'));
  assert.ok(!looksLikePython('/usr/bin/python-config'));
  assert.deepEqual(parseTcpAddress('127.0.0.1:2087'), { host: '127.0.0.1', port: 2087 });
  assert.deepEqual(parseTcpAddress('[::1]:2087'), { host: '::1', port: 2087 });
  assert.deepEqual(parseTcpAddress('localhost:9'), { host: 'localhost', port: 9 });
  assert.deepEqual(parseTcpAddress('2087'), { host: '127.0.0.1', port: 2087 });
  assert.equal(parseTcpAddress(''), undefined);
  assert.equal(parseTcpAddress('host:99999'), undefined);
  assert.equal(parseTcpAddress('nonsense'), undefined);
  assert.equal(formatCommand({ command: '/a b/python', args: ['-m', 'ssc_lsp'] }), '"/a b/python" -m ssc_lsp');
});
