/**
 * Pure (vscode-free) mapping of the `ssc.*` settings to the object the server
 * receives as `initializationOptions` and as the answer to a
 * `workspace/configuration` request for section "ssc".
 *
 * SERVER_SETTINGS is the single source of truth for the keys, types and
 * defaults; `package.json` (contributes.configuration) is checked against it by
 * test/settings.test.ts, and `npm run sync-settings` rewrites package.json from it.
 */

export type SettingType = 'string' | 'boolean' | 'integer' | 'number' | 'string[]';

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
  /** An empty string means "unset: let the server choose"; such keys are left out. */
  emptyMeansUnset?: boolean;
}

export const SERVER_SETTINGS: readonly SettingSpec[] = [
  {
    key: 'llm.provider',
    type: 'string',
    default: 'auto',
    enum: ['auto', 'openai', 'local', 'none'],
    enumDescriptions: [
      'Use an OpenAI-compatible endpoint when an API key or base URL is configured, a local model otherwise, or no LLM when neither is available.',
      'An OpenAI-compatible HTTP endpoint (OpenAI, vLLM, llama.cpp server, Ollama, ...).',
      'A local model run by the server.',
      'No LLM: only the symbolic map features (definitions, references, context, ...).',
    ],
    description: 'Which LLM backend the server uses.',
  },
  {
    key: 'llm.baseUrl',
    type: 'string',
    default: '',
    emptyMeansUnset: true,
    description: 'Base URL of the OpenAI-compatible API (e.g. http://127.0.0.1:8080/v1). Empty: the provider default.',
  },
  {
    key: 'llm.model',
    type: 'string',
    default: '',
    emptyMeansUnset: true,
    description: 'Model name sent to the LLM endpoint. Empty: the server default.',
  },
  {
    key: 'llm.apiKeyEnv',
    type: 'string',
    default: 'OPENAI_API_KEY',
    description: 'Name of the environment variable (in the server process) that holds the API key. The key itself is never stored in settings.',
  },
  {
    key: 'llm.api',
    type: 'string',
    default: 'chat',
    enum: ['chat', 'completions'],
    enumDescriptions: [
      'Use the chat completions API.',
      'Use the legacy text completions API (fill-in-the-middle with llm.fimTemplate).',
    ],
    description: 'Which endpoint of the OpenAI-compatible API to use.',
  },
  {
    key: 'llm.fimTemplate',
    type: 'string',
    default: '',
    emptyMeansUnset: true,
    description: 'Fill-in-the-middle prompt template for api "completions", with {prefix} and {suffix} placeholders. Empty: the server picks one for the model.',
  },
  {
    key: 'llm.maxTokens',
    type: 'integer',
    default: 256,
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
    key: 'llm.timeoutMs',
    type: 'integer',
    default: 15000,
    minimum: 0,
    description: 'Timeout of one LLM request in milliseconds.',
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
    default: 12000,
    minimum: 0,
    description: 'How many characters of workspace context (from the symbolic map) go into a prompt.',
  },
  {
    key: 'map.exclude',
    type: 'string[]',
    default: [],
    description: 'Glob patterns (gitignore syntax) of files the symbolic map leaves out, in addition to .gitignore.',
  },
  {
    key: 'map.maxFileSizeBytes',
    type: 'integer',
    default: 1000000,
    minimum: 0,
    description: 'Files larger than this are not indexed.',
  },
  {
    key: 'diagnostics.enabled',
    type: 'boolean',
    default: true,
    description: 'Publish diagnostics from the symbolic map (unresolved names, ...).',
  },
  {
    key: 'feedback.enabled',
    type: 'boolean',
    default: true,
    description: 'Record locally which suggestions are accepted, to rank context better. Nothing leaves the machine.',
  },
];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Reads one setting below `ssc.` by its dotted key; returns undefined when unknown. */
export type SettingReader = (key: string) => unknown;

function coerce(spec: SettingSpec, raw: unknown): JsonValue | undefined {
  switch (spec.type) {
    case 'boolean':
      return typeof raw === 'boolean' ? raw : (spec.default as boolean);
    case 'string': {
      let value = typeof raw === 'string' ? raw.trim() : (spec.default as string);
      if (spec.enum && !spec.enum.includes(value)) {
        value = spec.default as string;
      }
      if (spec.emptyMeansUnset && value === '') {
        return undefined;
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
      return list.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
    }
  }
}

/**
 * Builds the nested camelCase object sent as initializationOptions, e.g.
 * `{ llm: { provider: 'auto', ... }, completion: { inline: true, ... }, ... }`.
 * Values of the wrong type fall back to the default; numbers are clamped to
 * their range; optional strings left empty are omitted.
 */
export function buildServerSettings(read: SettingReader): JsonObject {
  const result: JsonObject = {};
  for (const spec of SERVER_SETTINGS) {
    const value = coerce(spec, read(spec.key));
    if (value === undefined) {
      continue;
    }
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
