/**
 * Pure (vscode-free) model of the status bar item: server state, indexing
 * progress ($/progress with title "ssc: indexing"), map size and last error.
 */

export type Phase = 'stopped' | 'starting' | 'indexing' | 'ready' | 'error';

export interface Progress {
  title: string;
  message?: string;
  percentage?: number;
}

export interface MapStats {
  files?: number;
  symbols?: number;
}

export interface StatusState {
  phase: Phase;
  progress?: Progress;
  stats?: MapStats;
  lastError?: string;
  /** Command line or address of the server, for the tooltip. */
  server?: string;
}

export interface StatusView {
  text: string;
  tooltip: string;
  severity: 'normal' | 'warning' | 'error';
}

export const INDEXING_TITLE = 'ssc: indexing';

/** True for the indexing progress the server reports (title "ssc: indexing"). */
export function isIndexingTitle(title: string | undefined): boolean {
  return (title ?? '').trim().toLowerCase().startsWith(INDEXING_TITLE);
}

export type WorkDoneProgressValue =
  | { kind: 'begin'; title: string; message?: string; percentage?: number; cancellable?: boolean }
  | { kind: 'report'; message?: string; percentage?: number; cancellable?: boolean }
  | { kind: 'end'; message?: string };

/**
 * Tracks work-done progress tokens and folds them into the status state.
 * Only progress whose begin has the indexing title changes the state.
 */
export class StatusModel {
  private state: StatusState = { phase: 'stopped' };
  private readonly indexingTokens = new Set<string>();

  get current(): StatusState {
    return { ...this.state };
  }

  setServer(server: string): void {
    this.state = { ...this.state, server };
  }

  starting(): void {
    this.indexingTokens.clear();
    this.state = { ...this.state, phase: 'starting', progress: undefined };
  }

  running(): void {
    if (this.state.phase === 'starting' || this.state.phase === 'stopped' || this.state.phase === 'error') {
      this.state = { ...this.state, phase: this.indexingTokens.size > 0 ? 'indexing' : 'ready' };
    }
  }

  stopped(): void {
    this.indexingTokens.clear();
    this.state = { ...this.state, phase: this.state.phase === 'error' ? 'error' : 'stopped', progress: undefined };
  }

  error(message: string): void {
    this.state = { ...this.state, phase: 'error', lastError: message, progress: undefined };
  }

  /** An error that does not stop the server (a failed request): remembered, phase unchanged. */
  requestError(message: string): void {
    this.state = { ...this.state, lastError: message };
  }

  clearError(): void {
    this.state = { ...this.state, lastError: undefined, phase: this.state.phase === 'error' ? 'ready' : this.state.phase };
  }

  stats(stats: MapStats): void {
    this.state = { ...this.state, stats: { ...this.state.stats, ...stats } };
  }

  /** Feeds one $/progress value; returns true when an indexing run just ended. */
  progress(token: string | number, value: WorkDoneProgressValue): boolean {
    const key = String(token);
    if (value.kind === 'begin') {
      if (!isIndexingTitle(value.title)) {
        return false;
      }
      this.indexingTokens.add(key);
      this.state = {
        ...this.state,
        phase: 'indexing',
        progress: { title: value.title, message: value.message, percentage: value.percentage },
      };
      return false;
    }
    if (!this.indexingTokens.has(key)) {
      return false;
    }
    if (value.kind === 'report') {
      const previous = this.state.progress ?? { title: INDEXING_TITLE };
      this.state = {
        ...this.state,
        phase: 'indexing',
        progress: {
          title: previous.title,
          message: value.message ?? previous.message,
          percentage: value.percentage ?? previous.percentage,
        },
      };
      return false;
    }
    this.indexingTokens.delete(key);
    if (this.indexingTokens.size === 0) {
      this.state = { ...this.state, phase: this.state.phase === 'error' ? 'error' : 'ready', progress: undefined };
    }
    return true;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function renderStatus(state: StatusState): StatusView {
  const lines: string[] = [];
  let text: string;
  let severity: StatusView['severity'] = 'normal';
  switch (state.phase) {
    case 'stopped':
      text = '$(circle-slash) ssc';
      lines.push('ssc: server stopped');
      break;
    case 'starting':
      text = '$(sync~spin) ssc';
      lines.push('ssc: starting the server…');
      break;
    case 'indexing': {
      const pct = state.progress?.percentage;
      text = `$(sync~spin) ssc: indexing${pct !== undefined ? ` ${Math.round(pct)}%` : ''}`;
      lines.push(`ssc: indexing the workspace${state.progress?.message ? ` — ${state.progress.message}` : ''}`);
      break;
    }
    case 'ready':
      text = state.stats?.files !== undefined ? `$(symbol-structure) ssc: ${plural(state.stats.files, 'file')}` : '$(symbol-structure) ssc';
      lines.push('ssc: symbolic map ready');
      break;
    case 'error':
      text = '$(error) ssc';
      severity = 'error';
      lines.push('ssc: server error');
      break;
  }
  if (state.stats?.files !== undefined || state.stats?.symbols !== undefined) {
    const parts: string[] = [];
    if (state.stats.files !== undefined) {
      parts.push(plural(state.stats.files, 'file'));
    }
    if (state.stats.symbols !== undefined) {
      parts.push(plural(state.stats.symbols, 'symbol'));
    }
    lines.push(`Map: ${parts.join(', ')}`);
  }
  if (state.lastError) {
    lines.push(`Last error: ${state.lastError}`);
    if (severity === 'normal') {
      severity = 'warning';
      text += ' $(warning)';
    }
  }
  if (state.server) {
    lines.push(`Server: ${state.server}`);
  }
  lines.push('Click for ssc actions');
  return { text, tooltip: lines.join('\n'), severity };
}

function firstNumber(obj: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = obj[key];
    if (typeof value === 'number' && Number.isFinite(value)) {
      return value;
    }
    if (Array.isArray(value)) {
      return value.length;
    }
  }
  return undefined;
}

/** Picks file and symbol counts out of an `ssc/stats` result, whatever its exact shape. */
export function statsFromResult(result: unknown): MapStats {
  if (result === null || typeof result !== 'object') {
    return {};
  }
  const obj = result as Record<string, unknown>;
  const nested = [obj, obj.map, obj.index, obj.stats].filter(
    (x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x),
  );
  const out: MapStats = {};
  for (const node of nested) {
    out.files ??= firstNumber(node, ['files', 'fileCount', 'file_count', 'indexedFiles', 'numFiles']);
    out.symbols ??= firstNumber(node, ['symbols', 'symbolCount', 'symbol_count', 'numSymbols']);
  }
  return out;
}
