/**
 * Which server commands the connected server offers (its `executeCommandProvider.commands`).
 * Commands a server does not list are not offered in menus and, when run anyway (key binding,
 * palette), say so instead of failing: a server without the refactor commands of issue 11
 * (ssc-lsp 0.1) lists none of them.
 */

/** Server commands that some servers do not implement, with the context key that says so. */
export const OPTIONAL_SERVER_COMMANDS = {
  refactor: { command: 'ssc.refactor', contextKey: 'ssc.offers.refactor', title: 'Refactor Selection' },
  explain: { command: 'ssc.explain', contextKey: 'ssc.offers.explain', title: 'Explain Selection' },
  reindex: { command: 'ssc.reindex', contextKey: 'ssc.offers.reindex', title: 'Re-index Workspace' },
  changeSignature: { command: 'ssc.changeSignature', contextKey: 'ssc.offers.changeSignature', title: 'Change Signature' },
  moveSymbol: { command: 'ssc.moveSymbol', contextKey: 'ssc.offers.moveSymbol', title: 'Move Symbol' },
  extractFunction: { command: 'ssc.extractFunction', contextKey: 'ssc.offers.extractFunction', title: 'Extract Function' },
  extractVariable: { command: 'ssc.extractVariable', contextKey: 'ssc.offers.extractVariable', title: 'Extract Variable' },
  inline: { command: 'ssc.inline', contextKey: 'ssc.offers.inline', title: 'Inline' },
  suggestNames: { command: 'ssc.suggestNames', contextKey: 'ssc.offers.suggestNames', title: 'Suggest Names' },
} as const;

export type OptionalCommand = keyof typeof OPTIONAL_SERVER_COMMANDS;

/** The commands listed in an InitializeResult (anything else: none). */
export function offeredCommands(initializeResult: unknown): Set<string> {
  const commands = (initializeResult as { capabilities?: { executeCommandProvider?: { commands?: unknown } } } | undefined)
    ?.capabilities?.executeCommandProvider?.commands;
  return new Set(Array.isArray(commands) ? commands.filter((c): c is string => typeof c === 'string') : []);
}

/** What to tell the user when a command is not offered by the running server. */
export function unavailableMessage(which: OptionalCommand, serverInfo?: { name?: string; version?: string }): string {
  const { command, title } = OPTIONAL_SERVER_COMMANDS[which];
  const server = serverInfo?.name ? `${serverInfo.name}${serverInfo.version ? ` ${serverInfo.version}` : ''}` : 'the server';
  return `ssc: ${title} is not available in this server version (${server} does not offer ${command}).`;
}
