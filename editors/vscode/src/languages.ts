/**
 * The VS Code languages the client attaches the server to: the languages the server maps
 * (server/ssc_lsp/map/languages/: Python, TypeScript/JavaScript with their JSX forms, Go, Rust,
 * Java). The map features (definition, hover, references, rename, symbols, ssc/context,
 * completion) serve all of them; the refactor commands are Python's (their engines are), so
 * their menus in package.json stay `editorLangId == python`.
 * package.json's `onLanguage:*` activation events must list the same ids (a unit test checks).
 */
export const LANGUAGE_IDS = [
  'python',
  'javascript',
  'javascriptreact',
  'typescript',
  'typescriptreact',
  'go',
  'rust',
  'java',
] as const;

/** The client's document selector: saved files and untitled buffers of every language above. */
export function documentSelector(): { scheme: string; language: string }[] {
  return LANGUAGE_IDS.flatMap((language) => [
    { scheme: 'file', language },
    { scheme: 'untitled', language },
  ]);
}
