/**
 * Pure (vscode-free) resolution of the command that starts the ssc-lsp server.
 *
 * Order:
 *   1. the `ssc.server.path` setting (a command, a path, or a Python interpreter);
 *   2. the active Python environment (from the ms-python extension, else the
 *      `python.defaultInterpreterPath` setting): its `ssc-lsp` script, else
 *      `<python> -m ssc_lsp` when that interpreter can import ssc_lsp;
 *   3. `ssc-lsp` on PATH;
 *   4. `python3 -m ssc_lsp` / `python -m ssc_lsp` from PATH when they can import it;
 *   5. a fallback that will most likely fail to start, with a hint for the user.
 */
import * as path from 'node:path';

export interface ServerCommand {
  command: string;
  args: string[];
  /** Where the command came from (shown in the output channel and the status bar tooltip). */
  source: 'setting' | 'python-env-script' | 'python-env-module' | 'path' | 'path-python-module' | 'fallback';
  /** Set when nothing was found: what the user should do. */
  hint?: string;
}

export interface ResolveInputs {
  /** Value of `ssc.server.path` (may contain ~, ${workspaceFolder}, ${env:NAME}). */
  configuredPath?: string;
  /** Value of `ssc.server.args`. */
  configuredArgs?: readonly string[];
  /**
   * Command prefix that runs the active Python interpreter, e.g. ['/venv/bin/python'] or
   * ['conda', 'run', '-n', 'x', 'python'] (as given by the ms-python extension).
   */
  pythonCommand?: readonly string[];
  workspaceFolder?: string;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homeDir?: string;
}

export interface ResolveDeps {
  /** True when `file` exists, is a file and is executable. */
  isExecutable(file: string): boolean;
  /** True when the Python command can import the ssc_lsp package. */
  pythonHasModule(pythonCommand: readonly string[], module: string): boolean;
}

export const SERVER_SCRIPT = 'ssc-lsp';
export const SERVER_MODULE = 'ssc_lsp';

function pathApi(platform: NodeJS.Platform): typeof path.posix {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** Expands ~, ${workspaceFolder}, ${userHome} and ${env:NAME} in a configured path. */
export function expandVariables(value: string, inputs: Pick<ResolveInputs, 'workspaceFolder' | 'env' | 'homeDir'>): string {
  let out = value.replace(/\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (match, name: string, envName?: string) => {
    if (name === 'workspaceFolder') {
      return inputs.workspaceFolder ?? match;
    }
    if (name === 'userHome') {
      return inputs.homeDir ?? match;
    }
    return inputs.env[envName ?? ''] ?? '';
  });
  if (inputs.homeDir && (out === '~' || out.startsWith('~/') || out.startsWith('~\\'))) {
    out = inputs.homeDir + out.slice(1);
  }
  return out;
}

/** Candidate file names for an executable on this platform (PATHEXT on Windows). */
function executableNames(name: string, platform: NodeJS.Platform, env: Record<string, string | undefined>): string[] {
  if (platform !== 'win32' || path.win32.extname(name) !== '') {
    return [name];
  }
  const exts = (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((e) => e !== '');
  return [...exts.map((e) => name + e.toLowerCase()), name];
}

function pathVariable(env: Record<string, string | undefined>, platform: NodeJS.Platform): string {
  if (platform === 'win32') {
    const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH');
    return key ? env[key] ?? '' : '';
  }
  return env.PATH ?? '';
}

/** Looks an executable up on PATH; returns its full path or undefined. */
export function whichSync(
  name: string,
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform,
  isExecutable: (file: string) => boolean,
): string | undefined {
  const p = pathApi(platform);
  const sep = platform === 'win32' ? ';' : ':';
  for (const dir of pathVariable(env, platform).split(sep)) {
    if (dir === '') {
      continue;
    }
    for (const candidate of executableNames(name, platform, env)) {
      const full = p.join(dir, candidate);
      if (isExecutable(full)) {
        return full;
      }
    }
  }
  return undefined;
}

/** True when a configured server path names a Python interpreter rather than the server itself. */
export function looksLikePython(file: string): boolean {
  const base = path.posix.basename(file.replace(/\\/g, '/')).toLowerCase().replace(/\.exe$/, '');
  return /^python(\d+(\.\d+)?)?w?$/.test(base);
}

/** Where the console script of a package sits next to a Python interpreter. */
export function scriptNextToInterpreter(interpreter: string, platform: NodeJS.Platform): string[] {
  const p = pathApi(platform);
  const dir = p.dirname(interpreter);
  if (platform === 'win32') {
    // venv: Scripts\python.exe next to Scripts\ssc-lsp.exe; base install: python.exe next to Scripts\.
    return [p.join(dir, SERVER_SCRIPT + '.exe'), p.join(dir, 'Scripts', SERVER_SCRIPT + '.exe')];
  }
  return [p.join(dir, SERVER_SCRIPT)];
}

export function resolveServerCommand(inputs: ResolveInputs, deps: ResolveDeps): ServerCommand {
  const p = pathApi(inputs.platform);
  const extraArgs = [...(inputs.configuredArgs ?? [])];

  // 1. Explicit setting.
  const configured = (inputs.configuredPath ?? '').trim();
  if (configured !== '') {
    let command = expandVariables(configured, inputs);
    const hasSeparator = command.includes('/') || (inputs.platform === 'win32' && command.includes('\\'));
    if (hasSeparator && !p.isAbsolute(command) && inputs.workspaceFolder) {
      command = p.resolve(inputs.workspaceFolder, command);
    }
    if (looksLikePython(command)) {
      return { command, args: ['-m', SERVER_MODULE, ...extraArgs], source: 'setting' };
    }
    return { command, args: extraArgs, source: 'setting' };
  }

  // 2. The active Python environment.
  const python = inputs.pythonCommand?.filter((part) => part !== '') ?? [];
  if (python.length > 0) {
    if (python.length === 1 && p.isAbsolute(python[0])) {
      for (const script of scriptNextToInterpreter(python[0], inputs.platform)) {
        if (deps.isExecutable(script)) {
          return { command: script, args: extraArgs, source: 'python-env-script' };
        }
      }
    }
    if (deps.pythonHasModule(python, SERVER_MODULE)) {
      return {
        command: python[0],
        args: [...python.slice(1), '-m', SERVER_MODULE, ...extraArgs],
        source: 'python-env-module',
      };
    }
  }

  // 3. PATH.
  const onPath = whichSync(SERVER_SCRIPT, inputs.env, inputs.platform, deps.isExecutable);
  if (onPath) {
    return { command: onPath, args: extraArgs, source: 'path' };
  }

  // 4. A Python on PATH that has the package.
  for (const name of inputs.platform === 'win32' ? ['python', 'py'] : ['python3', 'python']) {
    const exe = whichSync(name, inputs.env, inputs.platform, deps.isExecutable);
    if (exe && deps.pythonHasModule([exe], SERVER_MODULE)) {
      return { command: exe, args: ['-m', SERVER_MODULE, ...extraArgs], source: 'path-python-module' };
    }
  }

  // 5. Nothing found.
  const hint =
    python.length > 0
      ? `ssc-lsp is not installed in the active Python environment (${python.join(' ')}). ` +
        `Install it there (\`${python.join(' ')} -m pip install ssc-lsp\`), put ssc-lsp on PATH, or set "ssc.server.path".`
      : 'ssc-lsp was not found on PATH and no Python environment is selected. ' +
        'Install it (`pip install ssc-lsp`), select the interpreter that has it, or set "ssc.server.path".';
  if (python.length > 0) {
    return {
      command: python[0],
      args: [...python.slice(1), '-m', SERVER_MODULE, ...extraArgs],
      source: 'fallback',
      hint,
    };
  }
  return { command: SERVER_SCRIPT, args: extraArgs, source: 'fallback', hint };
}

/** Parses `ssc.server.tcp` ("HOST:PORT", "[::1]:PORT" or "PORT"); undefined when empty or invalid. */
export function parseTcpAddress(value: string | undefined): { host: string; port: number } | undefined {
  const text = (value ?? '').trim();
  if (text === '') {
    return undefined;
  }
  const m = /^(?:(?:\[([^\]]+)\]|([^:[\]]+)):)?(\d{1,5})$/.exec(text);
  if (!m) {
    return undefined;
  }
  const port = Number(m[3]);
  if (port < 1 || port > 65535) {
    return undefined;
  }
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port };
}

/** A human-readable command line, for logs. */
export function formatCommand(cmd: Pick<ServerCommand, 'command' | 'args'>): string {
  return [cmd.command, ...cmd.args].map((part) => (/[\s"']/.test(part) ? JSON.stringify(part) : part)).join(' ');
}
