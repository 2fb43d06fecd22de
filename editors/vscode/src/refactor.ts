/**
 * Pure helpers for the server's refactor commands (issue 11; the shapes are the server's
 * contract): the small change-signature syntax the user types, and what a command's result
 * says (the check's summary, its problems, the notes), shown to the user every time.
 */

/** One change of `ssc.changeSignature` as the server takes it. */
export type SignatureChange =
  | { op: 'add'; name: string; default?: string; value?: string; index?: number }
  | { op: 'remove'; name: string }
  | { op: 'rename'; name: string; newName: string }
  | { op: 'reorder'; order: string[] };

export const SIGNATURE_SYNTAX =
  'add NAME=DEFAULT | add NAME pass VALUE | remove NAME | rename OLD NEW | reorder A B C (several: separate with ";"; "at N" after add sets the position)';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parseOne(text: string): SignatureChange | string {
  const words = text.trim().split(/\s+/);
  const op = (words[0] ?? '').toLowerCase();
  const rest = text.trim().slice(words[0]?.length ?? 0).trim();
  if (op === 'remove' || op === 'rename') {
    const names = rest.split(/\s+/).filter((w) => w !== '');
    const want = op === 'remove' ? 1 : 2;
    if (names.length !== want || !names.every((n) => IDENT.test(n))) {
      return op === 'remove' ? '"remove" takes one parameter name' : '"rename" takes the old and the new name';
    }
    return op === 'remove' ? { op, name: names[0] } : { op, name: names[0], newName: names[1] };
  }
  if (op === 'reorder') {
    const order = rest.split(/[\s,]+/).filter((w) => w !== '');
    if (order.length < 2 || !order.every((n) => IDENT.test(n))) {
      return '"reorder" takes the parameter names in their new order';
    }
    return { op, order };
  }
  if (op === 'add') {
    let body = rest;
    let index: number | undefined;
    const at = /\s+at\s+(\d+)$/.exec(body);
    if (at) {
      index = Number(at[1]);
      body = body.slice(0, at.index);
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?:=\s*(.+?)|\s+pass\s+(.+?))?\s*$/.exec(body);
    if (!m || (m[2] === undefined && m[3] === undefined)) {
      return '"add" takes NAME=DEFAULT or NAME pass VALUE (the value each call passes)';
    }
    const change: SignatureChange = { op: 'add', name: m[1] };
    if (m[2] !== undefined) change.default = m[2];
    if (m[3] !== undefined) change.value = m[3];
    if (index !== undefined) change.index = index;
    return change;
  }
  return `unknown change "${words[0] ?? ''}"`;
}

/** The changes typed as `add x=1; remove y`, or why they cannot be read. */
export function parseSignatureChanges(text: string): { changes: SignatureChange[] } | { error: string } {
  const parts = text.split(';').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) {
    return { error: `no change given (${SIGNATURE_SYNTAX})` };
  }
  const changes: SignatureChange[] = [];
  for (const part of parts) {
    const got = parseOne(part);
    if (typeof got === 'string') {
      return { error: `${got}: "${part}"` };
    }
    changes.push(got);
  }
  return { changes };
}

/** A problem the server's check found (the items of `ssc/checkEdit`). */
export interface CheckProblem {
  path?: string;
  uri?: string;
  kind?: string;
  message?: string;
  symbol?: string | null;
  range?: { start?: { line?: number; character?: number } };
}

/** What an edit command answers: the check's findings beside the edit. */
export interface Outcome {
  title: string;
  summary: string;
  problems: CheckProblem[];
  notes: string[];
  applied: boolean;
  error?: string;
  edit?: unknown;
}

/** The outcome in a command result, or undefined when it has none (an older server). */
export function outcomeOf(result: unknown): Outcome | undefined {
  if (result === null || typeof result !== 'object') {
    return undefined;
  }
  const r = result as Record<string, unknown>;
  if (typeof r.summary !== 'string' && !Array.isArray(r.problems) && typeof r.error !== 'string') {
    return undefined;
  }
  return {
    title: typeof r.title === 'string' ? r.title : 'ssc',
    summary: typeof r.summary === 'string' ? r.summary : '',
    problems: Array.isArray(r.problems) ? (r.problems as CheckProblem[]) : [],
    notes: Array.isArray(r.notes) ? r.notes.filter((n): n is string => typeof n === 'string') : [],
    applied: r.applied === true,
    error: typeof r.error === 'string' ? r.error : undefined,
    edit: r.edit ?? undefined,
  };
}

/** "pkg/a.py:3:5" (1-based) for a problem. */
export function problemPlace(p: CheckProblem): string {
  const line = p.range?.start?.line;
  const col = p.range?.start?.character;
  const where = p.path ?? p.uri ?? '?';
  return typeof line === 'number' ? `${where}:${line + 1}:${(col ?? 0) + 1}` : where;
}

/** One line for a notification: title, what the check found, and whether it was applied. */
export function outcomeLine(o: Outcome): string {
  const parts = [`ssc: ${o.title}`];
  if (o.summary) parts.push(o.summary);
  if (o.error) parts.push(o.error);
  else if (!o.applied) parts.push('not applied');
  return parts.join(' — ');
}

/** Everything the user must see: the check's problems and the notes (uncertain sites...). */
export function outcomeMarkdown(o: Outcome): string {
  const out = [`# ${o.title}`, '', `**${o.summary || 'no summary'}**${o.applied ? ' (applied)' : ' (not applied)'}`];
  if (o.error) out.push('', `_${o.error}_`);
  if (o.problems.length > 0) {
    out.push('', `## Problems (${o.problems.length})`, '');
    for (const p of o.problems) {
      out.push(`- \`${problemPlace(p)}\` ${p.kind ? `[${p.kind}] ` : ''}${p.message ?? ''}`);
    }
  }
  if (o.notes.length > 0) {
    out.push('', `## Notes (${o.notes.length})`, '');
    for (const n of o.notes) out.push(`- ${n}`);
  }
  return out.join('\n') + '\n';
}

/** The names of an `ssc.suggestNames` result. */
export function suggestedNames(result: unknown): { name: string; reason: string }[] {
  const names = (result as { names?: unknown } | null)?.names;
  if (!Array.isArray(names)) {
    return [];
  }
  return names
    .filter((n): n is { name: string; reason?: unknown } => n !== null && typeof n === 'object' && typeof (n as { name?: unknown }).name === 'string')
    .map((n) => ({ name: n.name, reason: typeof n.reason === 'string' ? n.reason : '' }));
}
