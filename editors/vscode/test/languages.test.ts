import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { documentSelector, LANGUAGE_IDS } from '../src/languages';

const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

// The languages the server maps (server/ssc_lsp/map/languages/), by their VS Code ids.
const MAPPED = ['python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'go', 'rust', 'java'];

test('the document selector attaches every mapped language, saved and untitled', () => {
  const selector = documentSelector();
  for (const language of MAPPED) {
    for (const scheme of ['file', 'untitled']) {
      assert.ok(
        selector.some((f) => f.language === language && f.scheme === scheme),
        `${scheme} ${language} is not in the selector: ${JSON.stringify(selector)}`,
      );
    }
  }
  assert.deepEqual([...new Set(selector.map((f) => f.language))].sort(), [...MAPPED].sort());
});

test('package.json activates on every language of the selector', () => {
  const events = (pkg.activationEvents as string[]).filter((e) => e.startsWith('onLanguage:')).map((e) => e.slice('onLanguage:'.length));
  assert.deepEqual([...events].sort(), [...LANGUAGE_IDS].sort());
});

/** Evaluates the `editorLangId` part of a when clause as VS Code would (== and =~ forms only). */
function langMatches(when: string, languageId: string): boolean {
  const eq = /editorLangId == (\w+)/.exec(when);
  if (eq) return eq[1] === languageId;
  const re = /editorLangId =~ \/(.+?)\/(?:\s|$)/.exec(when);
  if (re) return new RegExp(re[1]).test(languageId);
  return true;
}

test('editor menus: Show Context for every language, the refactor commands for Python only', () => {
  const menu = pkg.contributes.menus['editor/context'] as { command: string; when?: string }[];
  const showContext = menu.find((e) => e.command === 'ssc-lsp.showContext');
  assert.ok(showContext?.when, 'ssc-lsp.showContext is in the editor menu');
  for (const language of LANGUAGE_IDS) {
    assert.ok(langMatches(showContext.when, language), `Show Context for ${language}: ${showContext.when}`);
  }
  assert.ok(!langMatches(showContext.when, 'plaintext'), showContext.when);
  for (const entry of menu.filter((e) => e.command !== 'ssc-lsp.showContext')) {
    assert.ok(entry.when, entry.command);
    for (const language of LANGUAGE_IDS) {
      assert.equal(langMatches(entry.when, language), language === 'python', `${entry.command} for ${language}: ${entry.when}`);
    }
  }
});
