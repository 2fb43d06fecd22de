import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import { contextMarkdown, isWorkspaceEdit, jsonMarkdown, markdownFromResult, workspaceEditFromResult } from '../src/markdown';
import { offeredCommands, unavailableMessage } from '../src/offers';
import { renderStatus, statsFromResult, StatusModel } from '../src/status';

test('indexing progress drives the status bar', () => {
  const m = new StatusModel();
  m.setServer('/venv/bin/ssc-lsp');
  m.starting();
  assert.match(renderStatus(m.current).text, /sync~spin/);
  m.running();
  assert.equal(m.current.phase, 'ready');
  assert.equal(m.progress('tok', { kind: 'begin', title: 'ssc: indexing', percentage: 0 }), false);
  assert.equal(renderStatus(m.current).text, '$(sync~spin) ssc: indexing 0%');
  m.progress('tok', { kind: 'report', message: '40/100 files', percentage: 40 });
  const view = renderStatus(m.current);
  assert.equal(view.text, '$(sync~spin) ssc: indexing 40%');
  assert.match(view.tooltip, /40\/100 files/);
  assert.match(view.tooltip, /Server: \/venv\/bin\/ssc-lsp/);
  // Other progress (e.g. a refactor) leaves the status alone.
  m.progress(7, { kind: 'begin', title: 'ssc: refactor' });
  m.progress(7, { kind: 'end' });
  assert.equal(m.current.phase, 'indexing');
  assert.equal(m.progress('tok', { kind: 'end', message: 'done' }), true);
  assert.equal(m.current.phase, 'ready');
  m.stats({ files: 120, symbols: 1534 });
  const ready = renderStatus(m.current);
  assert.equal(ready.text, '$(symbol-structure) ssc: 120 files');
  assert.match(ready.tooltip, /120 files, 1534 symbols/);
  assert.equal(ready.severity, 'normal');
});

test('errors are shown and remembered', () => {
  const m = new StatusModel();
  m.running();
  m.requestError('ssc/context: timeout');
  let v = renderStatus(m.current);
  assert.equal(v.severity, 'warning');
  assert.match(v.tooltip, /Last error: ssc\/context: timeout/);
  m.error('the server stopped');
  v = renderStatus(m.current);
  assert.equal(v.severity, 'error');
  assert.equal(v.text, '$(error) ssc');
  m.starting();
  m.running();
  assert.equal(m.current.phase, 'ready');
  m.clearError();
  assert.equal(renderStatus(m.current).severity, 'normal');
});

test('stats of various shapes', () => {
  assert.deepEqual(statsFromResult({ files: 3, symbols: 10 }), { files: 3, symbols: 10 });
  assert.deepEqual(statsFromResult({ map: { fileCount: 4, symbolCount: 9 } }), { files: 4, symbols: 9 });
  assert.deepEqual(statsFromResult({ files: ['a.py', 'b.py'] }), { files: 2, symbols: undefined });
  assert.deepEqual(statsFromResult(null), {});
  assert.deepEqual(statsFromResult('x'), {});
});

test('context markdown from the server or built from items', () => {
  assert.equal(contextMarkdown({ items: [], markdown: '# ctx' }), '# ctx');
  const md = contextMarkdown({
    items: [{ path: 'pkg/util.py', startLine: 1, endLine: 3, kind: 'function', score: 0.5, why: 'called here', chars: 20, text: 'def helper(x):\n    return x\n' }],
  });
  assert.match(md, /## pkg\/util\.py:1-3 \(function\) · score 0\.500/);
  assert.match(md, /_called here_/);
  assert.match(md, /```python\ndef helper\(x\):\n    return x\n```/);
  // The server's own item shape: 0-based lines, reasons as a list.
  const real = contextMarkdown({
    items: [{ path: 'pkg/util.py', start_line: 0, end_line: 2, kind: 'function', name: 'helper', why: ['imported', 'called here'], text: 'def helper(x): ...\n' }],
  });
  assert.match(real, /## pkg\/util\.py:1-3 \(function\)/);
  assert.match(real, /_imported; called here_/);
  // ssc.showContext returns the markdown itself.
  assert.equal(contextMarkdown('# ssc context at a.py:1\n'), '# ssc context at a.py:1\n');
  assert.equal(contextMarkdown(null), '_No context._');
  // Code containing fences gets a longer fence.
  assert.match(contextMarkdown({ items: [{ path: 'a.md', startLine: 1, endLine: 1, text: '```x```' }] }), /````markdown/);
});

test('markdown and edits from command results', () => {
  assert.equal(markdownFromResult('**x**'), '**x**');
  assert.equal(markdownFromResult({ markdown: 'm' }), 'm');
  assert.equal(markdownFromResult({ contents: { kind: 'markdown', value: 'v' } }), 'v');
  assert.equal(markdownFromResult(null), undefined);
  assert.match(jsonMarkdown('t', { a: 1 }), /^# t\n\n```json\n\{\n  "a": 1\n\}\n```/);
  const edit = { changes: { 'file:///a.py': [] } };
  assert.ok(isWorkspaceEdit(edit));
  assert.ok(isWorkspaceEdit({ documentChanges: [] }));
  assert.ok(!isWorkspaceEdit({ markdown: 'x' }));
  assert.equal(workspaceEditFromResult(edit), edit);
  assert.equal(workspaceEditFromResult({ edit }), edit);
  assert.equal(workspaceEditFromResult('x'), undefined);
});

test('offered server commands and the message for the others', () => {
  const init = { capabilities: { executeCommandProvider: { commands: ['ssc.reindex', 'ssc.showContext', 'ssc.acceptCompletion'] } }, serverInfo: { name: 'ssc-lsp', version: '0.1.0' } };
  const offered = offeredCommands(init);
  assert.ok(offered.has('ssc.reindex') && !offered.has('ssc.refactor') && !offered.has('ssc.explain'));
  assert.equal(offeredCommands(undefined).size, 0);
  assert.equal(offeredCommands({ capabilities: { executeCommandProvider: { commands: 'x' } } }).size, 0);
  assert.equal(
    unavailableMessage('refactor', init.serverInfo),
    'ssc: Refactor Selection is not available in this server version (ssc-lsp 0.1.0 does not offer ssc.refactor).',
  );
  assert.match(unavailableMessage('explain'), /the server does not offer ssc\.explain/);
});
