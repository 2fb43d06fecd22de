import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { CLIENT_PROPERTIES } from '../src/clientSettings';
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

test('defaults map to the nested camelCase initializationOptions', () => {
  assert.deepEqual(defaultServerSettings(), {
    llm: {
      provider: 'auto',
      apiKeyEnv: 'OPENAI_API_KEY',
      api: 'chat',
      maxTokens: 256,
      temperature: 0.2,
      timeoutMs: 15000,
    },
    completion: { inline: true, list: true, debounceMs: 150 },
    context: { budgetChars: 12000 },
    map: { exclude: [], maxFileSizeBytes: 1000000 },
    diagnostics: { enabled: true },
    feedback: { enabled: true },
  });
});

test('every contract key is present with defaults', () => {
  const s = buildServerSettings(readerFromObject({ 'llm.baseUrl': 'http://127.0.0.1:8080/v1', 'llm.model': 'm', 'llm.fimTemplate': '<PRE>{prefix}<SUF>{suffix}<MID>' }));
  const llm = s.llm as Record<string, unknown>;
  for (const key of ['provider', 'baseUrl', 'model', 'apiKeyEnv', 'api', 'fimTemplate', 'maxTokens', 'temperature', 'timeoutMs']) {
    assert.ok(key in llm, `llm.${key}`);
  }
  assert.deepEqual(Object.keys(s.completion as object).sort(), ['debounceMs', 'inline', 'list']);
  assert.deepEqual(Object.keys(s.context as object), ['budgetChars']);
  assert.deepEqual(Object.keys(s.map as object).sort(), ['exclude', 'maxFileSizeBytes']);
  assert.deepEqual(s.diagnostics, { enabled: true });
  assert.deepEqual(s.feedback, { enabled: true });
});

test('user values are passed through, from flat or nested readers', () => {
  const flat = readerFromObject({
    'llm.provider': 'openai',
    'llm.baseUrl': ' http://127.0.0.1:8080/v1 ',
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
    assert.deepEqual(s.diagnostics, { enabled: false });
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
      'map.exclude': ['ok', 3, '', '  x  '],
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

test('empty optional strings are left out so the server picks its default', () => {
  const s = buildServerSettings(readerFromObject({ 'llm.baseUrl': '', 'llm.model': '   ' }));
  assert.ok(!('baseUrl' in (s.llm as object)));
  assert.ok(!('model' in (s.llm as object)));
  assert.ok(!('fimTemplate' in (s.llm as object)));
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
  assert.equal(configurationForSection('ssc.llm.baseUrl', s), null);
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
  // The server's own command ids must not be contributed: vscode-languageclient registers them.
  for (const id of ['ssc.reindex', 'ssc.showContext', 'ssc.refactor', 'ssc.explain', 'ssc.acceptCompletion']) {
    assert.ok(!ids.includes(id), id);
  }
  assert.match(pkg.dependencies['vscode-languageclient'], /^\^?9\./);
  assert.equal(pkg.main, './out/extension.js');
});
