import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import { OPTIONAL_SERVER_COMMANDS, offeredCommands } from '../src/offers';
import { outcomeLine, outcomeMarkdown, outcomeOf, parseSignatureChanges, suggestedNames } from '../src/refactor';

test('the change-signature syntax reads into the server contract', () => {
  assert.deepEqual(parseSignatureChanges('add timeout=10; remove verbose; rename n count; reorder b a'), {
    changes: [
      { op: 'add', name: 'timeout', default: '10' },
      { op: 'remove', name: 'verbose' },
      { op: 'rename', name: 'n', newName: 'count' },
      { op: 'reorder', order: ['b', 'a'] },
    ],
  });
  assert.deepEqual(parseSignatureChanges('add key pass "id" at 1'), { changes: [{ op: 'add', name: 'key', value: '"id"', index: 1 }] });
  assert.deepEqual(parseSignatureChanges('add size = (1, 2)'), { changes: [{ op: 'add', name: 'size', default: '(1, 2)' }] });
  assert.deepEqual(parseSignatureChanges('reorder a, b, c'), { changes: [{ op: 'reorder', order: ['a', 'b', 'c'] }] });
  for (const bad of ['', 'add x', 'remove', 'remove a b', 'rename a', 'rename a 1b', 'reorder a', 'drop x', 'add 1x=2']) {
    assert.ok('error' in parseSignatureChanges(bad), `"${bad}" is refused`);
  }
});

test('an edit command outcome: the check and the notes are always in what is shown', () => {
  const result = {
    title: 'Move helper to pkg/b.py',
    summary: '1 problem: main.py:5 name helper',
    problems: [{ path: 'main.py', kind: 'unresolved', message: "name 'helper' no longer resolves", range: { start: { line: 4, character: 11 } } }],
    notes: ['1 call site could not be decided'],
    edit: { changes: {} },
    applied: false,
  };
  const o = outcomeOf(result);
  assert.ok(o);
  assert.equal(outcomeLine(o), 'ssc: Move helper to pkg/b.py — 1 problem: main.py:5 name helper — not applied');
  const md = outcomeMarkdown(o);
  assert.match(md, /## Problems \(1\)/);
  assert.match(md, /`main\.py:5:12` \[unresolved\] name 'helper' no longer resolves/);
  assert.match(md, /## Notes \(1\)\n\n- 1 call site could not be decided/);
  const applied = outcomeOf({ title: 'Inline x', summary: 'checked: no problems', problems: [], notes: [], applied: true });
  assert.equal(outcomeLine(applied!), 'ssc: Inline x — checked: no problems');
  assert.equal(outcomeLine(outcomeOf({ title: 'T', summary: 's', applied: false, error: 'a path outside the workspace' })!), 'ssc: T — s — a path outside the workspace');
  // Not an outcome: an older server's edit or markdown.
  assert.equal(outcomeOf({ changes: {} }), undefined);
  assert.equal(outcomeOf('**md**'), undefined);
  assert.equal(outcomeOf(null), undefined);
});

test('suggested names', () => {
  assert.deepEqual(suggestedNames({ names: [{ name: 'total', reason: 'what it sums' }, { name: 3 }, { name: 'n' }] }), [
    { name: 'total', reason: 'what it sums' },
    { name: 'n', reason: '' },
  ]);
  assert.deepEqual(suggestedNames(null), []);
  assert.deepEqual(suggestedNames({ names: 'x' }), []);
});

test('every refactor command of the server contract is optional (hidden unless listed)', () => {
  const listed: string[] = Object.values(OPTIONAL_SERVER_COMMANDS).map((c) => c.command);
  for (const command of ['ssc.changeSignature', 'ssc.moveSymbol', 'ssc.extractFunction', 'ssc.extractVariable', 'ssc.inline', 'ssc.suggestNames', 'ssc.refactor', 'ssc.explain']) {
    assert.ok(listed.includes(command), command);
  }
  const offered = offeredCommands({ capabilities: { executeCommandProvider: { commands: ['ssc.inline'] } } });
  assert.deepEqual(listed.filter((c) => offered.has(c)), ['ssc.inline']);
});
