/**
 * Pure (vscode-free) mapping of the `ssc.*` settings to the object the server
 * receives as `initializationOptions` and as the answer to a
 * `workspace/configuration` request for section "ssc".
 *
 * SERVER_SETTINGS is the single source of truth for the keys, types and
 * defaults; `package.json` (contributes.configuration) is checked against it by
 * test/settings.test.ts, and `npm run sync-settings` rewrites package.json from it.
 */

export type SettingType = 'string' | 'boolean' | 'integer' | 'number' | 'string[]' | 'object';

export interface SettingSpec {
  /** Dotted key below `ssc.`, e.g. "llm.provider". */
  key: string;
  type: SettingType;
  default: unknown;
  description: string;
  enum?: readonly string[];
  enumDescriptions?: readonly string[];
  minimum?: number;
  maximum?: number;
}

export const SERVER_SETTINGS: readonly SettingSpec[] = [
  {
    key: 'llm.provider',
    type: 'string',
    default: 'auto',
    enum: ['auto', 'openai', 'local', 'none'],
    enumDescriptions: [
      'An OpenAI-compatible endpoint when one is configured (llm.baseUrl or SSC_LLM_BASE_URL), else a local model when one is installed, else no LLM.',
      'An OpenAI-compatible HTTP endpoint (OpenAI, vLLM, llama.cpp server, Ollama, ...); needs llm.baseUrl.',
      'A local model run inside the server.',
      'No LLM: only the symbolic map features (definitions, references, context, ...).',
    ],
    description: 'Which LLM backend the server uses.',
  },
  {
    key: 'llm.baseUrl',
    type: 'string',
    default: '',
    description: 'Base URL of the OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1 (the environment variable SSC_LLM_BASE_URL overrides it).',
  },
  {
    key: 'llm.model',
    type: 'string',
    default: '',
    description: 'Model name sent to the LLM endpoint (SSC_LLM_MODEL overrides it). Empty: the server picks one.',
  },
  {
    key: 'llm.apiKeyEnv',
    type: 'string',
    default: '',
    description: 'Name of an environment variable of the server process that holds the API key (SSC_LLM_API_KEY always wins). The key itself never goes into settings.',
  },
  {
    key: 'llm.api',
    type: 'string',
    default: 'chat',
    enum: ['chat', 'completions'],
    enumDescriptions: [
      'The chat completions API.',
      'The text completions API with a fill-in-the-middle prompt (llm.fimTemplate).',
    ],
    description: 'Which API of the OpenAI-compatible endpoint to use (SSC_LLM_API overrides it).',
  },
  {
    key: 'llm.fimTemplate',
    type: 'string',
    default: 'qwen2.5-coder',
    description: 'Fill-in-the-middle prompt format for api "completions": a model family (qwen2.5-coder, starcoder2, codellama, deepseek-coder, codestral, or an alias such as qwen, starcoder, deepseek, mistral) or "custom" for llm.customFimTemplate.',
  },
  {
    key: 'llm.customFimTemplate',
    type: 'string',
    default: '',
    description: 'The prompt when llm.fimTemplate is "custom", with {prefix} and {suffix} placeholders.',
  },
  {
    key: 'llm.maxTokens',
    type: 'integer',
    default: 128,
    minimum: 1,
    description: 'Maximum number of tokens the LLM may generate per request.',
  },
  {
    key: 'llm.temperature',
    type: 'number',
    default: 0.2,
    minimum: 0,
    maximum: 2,
    description: 'Sampling temperature.',
  },
  {
    key: 'llm.stop',
    type: 'string[]',
    default: [],
    description: 'Extra stop sequences for the LLM.',
  },
  {
    key: 'llm.timeoutMs',
    type: 'integer',
    default: 15000,
    minimum: 1,
    description: 'The longest wait for any one read from the model endpoint (connecting, the first byte, the next streamed piece), in milliseconds.',
  },
  {
    key: 'llm.requestTimeoutMs',
    type: 'integer',
    default: 20000,
    minimum: 1,
    description: 'The longest one LLM request may take in all, waiting for a free slot and every retry included (never less than llm.timeoutMs), in milliseconds: a model that drips tokens or hangs is given up on after it.',
  },
  {
    key: 'llm.retries',
    type: 'integer',
    default: 2,
    minimum: 0,
    description: 'How often a failed LLM request is retried.',
  },
  {
    key: 'llm.concurrency',
    type: 'integer',
    default: 2,
    minimum: 1,
    description: 'How many LLM requests may run at once.',
  },
  {
    key: 'llm.extraHeaders',
    type: 'object',
    default: {},
    description: 'Extra HTTP headers sent with every LLM request (string values).',
  },
  {
    key: 'llm.extraBody',
    type: 'object',
    default: {},
    description: 'Extra fields merged into the body of every LLM request (e.g. {"top_p": 0.9}).',
  },
  {
    key: 'completion.inline',
    type: 'boolean',
    default: true,
    description: 'Offer LLM suggestions as inline (ghost text) completions.',
  },
  {
    key: 'completion.list',
    type: 'boolean',
    default: true,
    description: 'Offer LLM suggestions in the completion list.',
  },
  {
    key: 'completion.debounceMs',
    type: 'integer',
    default: 150,
    minimum: 0,
    description: 'Delay before the server asks the LLM for a completion, in milliseconds.',
  },
  {
    key: 'context.budgetChars',
    type: 'integer',
    default: 6000,
    minimum: 0,
    description: 'How many characters of workspace context (from the symbolic map) go into a prompt.',
  },
  {
    key: 'map.exclude',
    type: 'string[]',
    default: [],
    description: 'Glob patterns (gitignore syntax) of files the symbolic map leaves out, in addition to .gitignore and .sscignore.',
  },
  {
    key: 'map.maxFileSizeBytes',
    type: 'integer',
    default: 1000000,
    minimum: 0,
    description: 'Files larger than this are not mapped.',
  },
  {
    key: 'map.persist',
    type: 'boolean',
    default: true,
    description: 'Keep the map in a SQLite file so that the next start is fast.',
  },
  {
    key: 'map.cacheDir',
    type: 'string',
    default: '',
    description: 'Directory of the map\'s SQLite files. Empty: the user cache directory (or $SSC_LSP_CACHE_DIR).',
  },
  {
    key: 'diagnostics.enabled',
    type: 'boolean',
    default: true,
    description: 'Publish diagnostics from the symbolic map (unresolved names, wrong call arities, ...).',
  },
  {
    key: 'diagnostics.debounceMs',
    type: 'integer',
    default: 300,
    minimum: 0,
    description: 'Delay after an edit before diagnostics are recomputed, in milliseconds.',
  },
  {
    key: 'feedback.enabled',
    type: 'boolean',
    default: false,
    description: 'Record in a local JSONL file which suggestions were shown and accepted (opt-in; nothing leaves the machine).',
  },
];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Reads one setting below `ssc.` by its dotted key; returns undefined when unknown. */
export type SettingReader = (key: string) => unknown;

function coerce(spec: SettingSpec, raw: unknown): JsonValue {
  switch (spec.type) {
    case 'boolean':
      return typeof raw === 'boolean' ? raw : (spec.default as boolean);
    case 'string': {
      let value = typeof raw === 'string' ? raw : (spec.default as string);
      if (spec.enum && !spec.enum.includes(value)) {
        value = spec.default as string;
      }
      return value;
    }
    case 'integer':
    case 'number': {
      let value = typeof raw === 'number' && Number.isFinite(raw) ? raw : (spec.default as number);
      if (spec.type === 'integer') {
        value = Math.round(value);
      }
      if (spec.minimum !== undefined && value < spec.minimum) {
        value = spec.minimum;
      }
      if (spec.maximum !== undefined && value > spec.maximum) {
        value = spec.maximum;
      }
      return value;
    }
    case 'string[]': {
      const list = Array.isArray(raw) ? raw : (spec.default as unknown[]);
      return list.filter((x): x is string => typeof x === 'string' && x !== '');
    }
    case 'object': {
      const obj = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : spec.default;
      // Through JSON: drops functions/undefined and the proxies VS Code hands out.
      return JSON.parse(JSON.stringify(obj ?? {})) as JsonObject;
    }
  }
}

/**
 * Builds the nested camelCase object sent as initializationOptions, e.g.
 * `{ llm: { provider: 'auto', ... }, completion: { inline: true, ... }, ... }`.
 * Every key is present (the server's defaults when unset, see
 * server/ssc_lsp/config.py); values of the wrong type fall back to the default,
 * numbers are clamped to their range; strings are passed as they are.
 */
export function buildServerSettings(read: SettingReader): JsonObject {
  const result: JsonObject = {};
  for (const spec of SERVER_SETTINGS) {
    const value = coerce(spec, read(spec.key));
    const parts = spec.key.split('.');
    let node = result;
    for (const part of parts.slice(0, -1)) {
      const child = node[part];
      if (child === undefined || child === null || typeof child !== 'object' || Array.isArray(child)) {
        node[part] = {};
      }
      node = node[part] as JsonObject;
    }
    node[parts[parts.length - 1]] = value;
  }
  return result;
}

/** The settings object built from defaults alone. */
export function defaultServerSettings(): JsonObject {
  return buildServerSettings(() => undefined);
}

/** A reader over a plain nested object such as `{ llm: { model: 'x' } }` or a flat `{ 'llm.model': 'x' }`. */
export function readerFromObject(obj: Record<string, unknown>): SettingReader {
  return (key: string) => {
    if (Object.prototype.hasOwnProperty.call(obj, key)) {
      return obj[key];
    }
    let node: unknown = obj;
    for (const part of key.split('.')) {
      if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, part)) {
        return undefined;
      }
      node = (node as Record<string, unknown>)[part];
    }
    return node;
  };
}

const NOT_OURS = Symbol('not-ours');

/**
 * The answer to one `workspace/configuration` item: "ssc" gives the whole object,
 * "ssc.llm" the llm part, "ssc.llm.model" one value (null when unset).
 * Returns NOT_OURS_SECTION for sections outside "ssc" (the client answers those as usual).
 */
export function configurationForSection(section: string | undefined | null, settings: JsonObject): JsonValue | typeof NOT_OURS {
  if (section === undefined || section === null || section === '') {
    return NOT_OURS;
  }
  if (section === 'ssc') {
    return settings;
  }
  if (!section.startsWith('ssc.')) {
    return NOT_OURS;
  }
  let node: JsonValue = settings;
  for (const part of section.slice(4).split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !(part in node)) {
      return null;
    }
    node = (node as JsonObject)[part];
  }
  return node;
}

export const NOT_OURS_SECTION = NOT_OURS;

/** JSON schema for one setting, as it appears in package.json contributes.configuration.properties. */
export function packageJsonProperty(spec: SettingSpec): Record<string, unknown> {
  const prop: Record<string, unknown> = {};
  if (spec.type === 'string[]') {
    prop.type = 'array';
    prop.items = { type: 'string' };
  } else if (spec.type === 'object') {
    prop.type = 'object';
  } else {
    prop.type = spec.type;
  }
  prop.default = spec.default;
  if (spec.enum) {
    prop.enum = [...spec.enum];
  }
  if (spec.enumDescriptions) {
    prop.enumDescriptions = [...spec.enumDescriptions];
  }
  if (spec.minimum !== undefined) {
    prop.minimum = spec.minimum;
  }
  if (spec.maximum !== undefined) {
    prop.maximum = spec.maximum;
  }
  prop.description = spec.description;
  prop.scope = 'resource';
  return prop;
}
