import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { CLIENT_PROPERTIES } from '../src/clientSettings';
import { OPTIONAL_SERVER_COMMANDS } from '../src/offers';
import {
  buildServerSettings,
  configurationForSection,
  defaultServerSettings,
  NOT_OURS_SECTION,
  packageJsonProperty,
  readerFromObject,
  SERVER_SETTINGS,
} from '../src/settings';

const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
const properties: Record<string, Record<string, unknown>> = pkg.contributes.configuration.properties;

/** server/ssc_lsp/config.py: to_json(Config()) at the time of writing. */
const SERVER_DEFAULTS = {
  llm: {
    provider: 'auto',
    baseUrl: '',
    model: '',
    apiKeyEnv: '',
    api: 'chat',
    fimTemplate: 'qwen2.5-coder',
    customFimTemplate: '',
    maxTokens: 128,
    temperature: 0.2,
    stop: [],
    timeoutMs: 15000,
    requestTimeoutMs: 20000,
    retries: 2,
    concurrency: 2,
    extraHeaders: {},
    extraBody: {},
  },
  map: { exclude: [], maxFileSizeBytes: 1000000, persist: true, cacheDir: '' },
  completion: { inline: true, list: true, debounceMs: 150 },
  context: { budgetChars: 6000 },
  diagnostics: { enabled: true, debounceMs: 300 },
  feedback: { enabled: false },
};

test('defaults map to the nested camelCase initializationOptions', () => {
  assert.deepEqual(defaultServerSettings(), SERVER_DEFAULTS);
});

test('the contract keys are all there', () => {
  const s = defaultServerSettings();
  const llm = s.llm as Record<string, unknown>;
  for (const key of ['provider', 'baseUrl', 'model', 'apiKeyEnv', 'api', 'fimTemplate', 'maxTokens', 'temperature', 'timeoutMs']) {
    assert.ok(key in llm, `llm.${key}`);
  }
  for (const key of ['inline', 'list', 'debounceMs']) assert.ok(key in (s.completion as object), `completion.${key}`);
  assert.ok('budgetChars' in (s.context as object));
  for (const key of ['exclude', 'maxFileSizeBytes']) assert.ok(key in (s.map as object), `map.${key}`);
  assert.ok('enabled' in (s.diagnostics as object));
  assert.ok('enabled' in (s.feedback as object));
});

/** Flattens {a: {b: 1}} to {'a.b': 1}; the free-form objects (extraHeaders, extraBody) stay whole. */
function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix + k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !/^llm\.extra/.test(key)) {
      Object.assign(out, flatten(v as Record<string, unknown>, key + '.'));
    } else {
      out[key] = v;
    }
  }
  return out;
}

test('same keys and defaults as the server package (when importable)', (t) => {
  const python = process.env.SSC_PYTHON || (process.platform === 'win32' ? 'python' : 'python3');
  const serverDir = path.resolve(__dirname, '..', '..', '..', '..', 'server');
  const res = spawnSync(python, ['-c', 'import json; from ssc_lsp.config import Config, to_json; print(json.dumps(to_json(Config())))'], {
    env: { ...process.env, PYTHONPATH: [serverDir, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) },
    encoding: 'utf8',
    timeout: 30000,
  });
  if (res.status !== 0) {
    t.skip(`cannot import ssc_lsp.config with ${python} (set SSC_PYTHON): ${(res.error?.message ?? res.stderr ?? '').trim().split('\n').pop()}`);
    return;
  }
  const server = flatten(JSON.parse(res.stdout));
  const ours = flatten(defaultServerSettings());
  assert.deepEqual(
    Object.keys(ours).sort(),
    Object.keys(server).sort(),
    'SERVER_SETTINGS in src/settings.ts must list every server setting (then run `npm run sync-settings`)',
  );
  assert.deepEqual(ours, server, 'defaults in src/settings.ts differ from server/ssc_lsp/config.py');
});

test('user values are passed through, from flat or nested readers', () => {
  const flat = readerFromObject({
    'llm.provider': 'openai',
    'llm.baseUrl': 'http://127.0.0.1:8080/v1',
    'llm.model': 'qwen2.5-coder',
    'llm.api': 'completions',
    'llm.maxTokens': 64,
    'completion.inline': false,
    'map.exclude': ['build/**', '*.min.js'],
    'diagnostics.enabled': false,
  });
  const nested = readerFromObject({
    llm: { provider: 'openai', baseUrl: 'http://127.0.0.1:8080/v1', model: 'qwen2.5-coder', api: 'completions', maxTokens: 64 },
    completion: { inline: false },
    map: { exclude: ['build/**', '*.min.js'] },
    diagnostics: { enabled: false },
  });
  for (const read of [flat, nested]) {
    const s = buildServerSettings(read);
    assert.equal((s.llm as Record<string, unknown>).provider, 'openai');
    assert.equal((s.llm as Record<string, unknown>).baseUrl, 'http://127.0.0.1:8080/v1');
    assert.equal((s.llm as Record<string, unknown>).model, 'qwen2.5-coder');
    assert.equal((s.llm as Record<string, unknown>).api, 'completions');
    assert.equal((s.llm as Record<string, unknown>).maxTokens, 64);
    assert.equal((s.completion as Record<string, unknown>).inline, false);
    assert.equal((s.completion as Record<string, unknown>).list, true);
    assert.deepEqual((s.map as Record<string, unknown>).exclude, ['build/**', '*.min.js']);
    assert.deepEqual(s.diagnostics, { enabled: false, debounceMs: 300 });
  }
});

test('wrong types and out-of-range values fall back or are clamped', () => {
  const s = buildServerSettings(
    readerFromObject({
      'llm.provider': 'gpt', // not in the enum
      'llm.temperature': 7,
      'llm.maxTokens': 0,
      'llm.timeoutMs': 'soon',
      'completion.debounceMs': 12.7,
      'completion.list': 'yes',
      'map.exclude': ['ok', 3, '', 'x'],
      'map.maxFileSizeBytes': Number.NaN,
    }),
  );
  const llm = s.llm as Record<string, unknown>;
  assert.equal(llm.provider, 'auto');
  assert.equal(llm.temperature, 2);
  assert.equal(llm.maxTokens, 1);
  assert.equal(llm.timeoutMs, 15000);
  assert.equal((s.completion as Record<string, unknown>).debounceMs, 13);
  assert.equal((s.completion as Record<string, unknown>).list, true);
  assert.deepEqual((s.map as Record<string, unknown>).exclude, ['ok', 'x']);
  assert.equal((s.map as Record<string, unknown>).maxFileSizeBytes, 1000000);
});

test('free-form objects are passed as plain JSON', () => {
  const s = buildServerSettings(readerFromObject({ 'llm.extraHeaders': { 'X-A': 'b' }, 'llm.extraBody': { top_p: 0.9, n: [1] }, 'llm.stop': ['\n\n'] }));
  const llm = s.llm as Record<string, unknown>;
  assert.deepEqual(llm.extraHeaders, { 'X-A': 'b' });
  assert.deepEqual(llm.extraBody, { top_p: 0.9, n: [1] });
  assert.deepEqual(llm.stop, ['\n\n']);
  assert.deepEqual(buildServerSettings(readerFromObject({ 'llm.extraBody': [1] })).llm, SERVER_DEFAULTS.llm);
});

test('the result is plain JSON', () => {
  const s = defaultServerSettings();
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
});

test('workspace/configuration sections', () => {
  const s = buildServerSettings(readerFromObject({ 'llm.model': 'x' }));
  assert.deepEqual(configurationForSection('ssc', s), s);
  assert.deepEqual(configurationForSection('ssc.llm', s), s.llm);
  assert.equal(configurationForSection('ssc.llm.model', s), 'x');
  assert.equal(configurationForSection('ssc.llm.baseUrl', s), '');
  assert.equal(configurationForSection('ssc.llm.nope', s), null);
  assert.equal(configurationForSection('ssc.nope.deeper', s), null);
  assert.equal(configurationForSection('python', s), NOT_OURS_SECTION);
  assert.equal(configurationForSection('sscx', s), NOT_OURS_SECTION);
  assert.equal(configurationForSection(undefined, s), NOT_OURS_SECTION);
});

test('package.json contributes exactly the server settings plus the client-only ones', () => {
  const expected = new Set([
    ...SERVER_SETTINGS.map((spec) => `ssc.${spec.key}`),
    ...Object.keys(CLIENT_PROPERTIES).map((k) => `ssc.${k}`),
  ]);
  assert.deepEqual(new Set(Object.keys(properties)), expected, 'run `npm run sync-settings`');
  for (const spec of SERVER_SETTINGS) {
    assert.deepEqual(properties[`ssc.${spec.key}`], packageJsonProperty(spec), `ssc.${spec.key} (run \`npm run sync-settings\`)`);
  }
});

test('package.json defaults give the same initializationOptions as the code defaults', () => {
  const fromPackage: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(properties)) {
    fromPackage[key.replace(/^ssc\./, '')] = prop.default;
  }
  assert.deepEqual(buildServerSettings(readerFromObject(fromPackage)), defaultServerSettings());
});

test('package.json declares the commands and the client', () => {
  const ids = (pkg.contributes.commands as { command: string }[]).map((c) => c.command);
  for (const id of ['ssc-lsp.refactor', 'ssc-lsp.showContext', 'ssc-lsp.reindex', 'ssc-lsp.restart', 'ssc-lsp.explain']) {
    assert.ok(ids.includes(id), id);
  }
  // Every optional server command has a client command, shown in menus only when offered.
  const menus = pkg.contributes.menus as Record<string, { command: string; when?: string }[]>;
  for (const [name, { contextKey }] of Object.entries(OPTIONAL_SERVER_COMMANDS)) {
    const id = `ssc-lsp.${name}`;
    assert.ok(ids.includes(id), id);
    for (const entry of [...menus['editor/context'], ...menus.commandPalette].filter((e) => e.command === id)) {
      assert.ok(entry.when?.includes(contextKey), `${id} in a menu without ${contextKey}: ${entry.when}`);
    }
    assert.ok(menus.commandPalette.some((e) => e.command === id), `${id} is in the palette only when offered`);
  }
  // The server's own command ids must not be contributed: vscode-languageclient registers them.
  for (const id of ['ssc.reindex', 'ssc.showContext', 'ssc.refactor', 'ssc.explain', 'ssc.acceptCompletion', ...Object.values(OPTIONAL_SERVER_COMMANDS).map((c) => c.command)]) {
    assert.ok(!ids.includes(id), id);
  }
  assert.match(pkg.dependencies['vscode-languageclient'], /^\^?9\./);
  assert.equal(pkg.main, './out/extension.js');
});
