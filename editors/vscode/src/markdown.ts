/** Pure helpers that turn server results into markdown for the preview. */

/** An `ssc/context` item as the server sends it (0-based inclusive lines, `why` a list). */
export interface ContextItem {
  path: string;
  start_line?: number;
  end_line?: number;
  /** Older servers and stubs: camelCase, already 1-based. */
  startLine?: number;
  endLine?: number;
  kind?: string;
  name?: string;
  score?: number;
  why?: string | string[];
  chars?: number;
  text?: string;
}

/** "path:first-last" with 1-based lines. */
function span(it: ContextItem): string {
  if (typeof it.start_line === 'number' && typeof it.end_line === 'number') {
    return `${it.path}:${it.start_line + 1}-${it.end_line + 1}`;
  }
  return `${it.path}:${it.startLine ?? '?'}-${it.endLine ?? '?'}`;
}

function fence(text: string, lang = ''): string {
  let ticks = '```';
  while (text.includes(ticks)) {
    ticks += '`';
  }
  return `${ticks}${lang}\n${text.replace(/\n$/, '')}\n${ticks}`;
}

function langFor(file: string): string {
  const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  const known: Record<string, string> = { py: 'python', pyi: 'python', ts: 'typescript', js: 'javascript', md: 'markdown', toml: 'toml', json: 'json', rs: 'rust', go: 'go', java: 'java', tsx: 'tsx', jsx: 'jsx', mts: 'typescript', cts: 'typescript', mjs: 'javascript', cjs: 'javascript', c: 'c', h: 'c', cpp: 'cpp' };
  return known[ext] ?? '';
}

/** Markdown for a `ssc/context` result: its own `markdown` when given, else built from the items. */
export function contextMarkdown(result: unknown): string {
  if (typeof result === 'string') {
    return result;
  }
  if (result === null || typeof result !== 'object') {
    return '_No context._';
  }
  const obj = result as { markdown?: unknown; items?: unknown };
  if (typeof obj.markdown === 'string' && obj.markdown.trim() !== '') {
    return obj.markdown;
  }
  const items = Array.isArray(obj.items) ? (obj.items as ContextItem[]) : [];
  if (items.length === 0) {
    return '_No context._';
  }
  const total = items.reduce((n, it) => n + (typeof it.chars === 'number' ? it.chars : (it.text ?? '').length), 0);
  const out = [`# ssc context`, '', `${items.length} item${items.length === 1 ? '' : 's'}, ${total} chars`, ''];
  for (const it of items) {
    const score = typeof it.score === 'number' ? ` · score ${it.score.toFixed(3)}` : '';
    out.push(`## ${span(it)}${it.kind ? ` (${it.kind})` : ''}${score}`);
    const why = Array.isArray(it.why) ? it.why.join('; ') : it.why;
    if (why) {
      out.push('', `_${why}_`);
    }
    if (it.text) {
      out.push('', fence(it.text, langFor(it.path)));
    }
    out.push('');
  }
  return out.join('\n');
}

/** Markdown from an `ssc.explain` (or similar) command result: a string, `{markdown}`, `{value}` or `{contents}`. */
export function markdownFromResult(result: unknown): string | undefined {
  if (typeof result === 'string') {
    return result;
  }
  if (result === null || typeof result !== 'object') {
    return undefined;
  }
  const obj = result as Record<string, unknown>;
  for (const key of ['markdown', 'value', 'contents', 'text']) {
    const value = obj[key];
    if (typeof value === 'string') {
      return value;
    }
    if (value !== null && typeof value === 'object' && typeof (value as { value?: unknown }).value === 'string') {
      return (value as { value: string }).value;
    }
  }
  return undefined;
}

/** Markdown that shows any JSON result (stats, symbol). */
export function jsonMarkdown(title: string, result: unknown): string {
  return `# ${title}\n\n${fence(JSON.stringify(result, null, 2) ?? 'null', 'json')}\n`;
}

/** True when a value has the shape of an LSP WorkspaceEdit. */
export function isWorkspaceEdit(value: unknown): boolean {
  if (value === null || typeof value !== 'object') {
    return false;
  }
  const obj = value as Record<string, unknown>;
  return (
    (obj.changes !== undefined && typeof obj.changes === 'object') ||
    Array.isArray(obj.documentChanges)
  );
}

/** The WorkspaceEdit inside a refactor result: the result itself, or its `edit` field. */
export function workspaceEditFromResult(result: unknown): unknown | undefined {
  if (isWorkspaceEdit(result)) {
    return result;
  }
  if (result !== null && typeof result === 'object' && isWorkspaceEdit((result as { edit?: unknown }).edit)) {
    return (result as { edit: unknown }).edit;
  }
  return undefined;
}
