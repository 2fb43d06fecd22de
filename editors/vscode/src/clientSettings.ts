/** package.json schema of the settings only the editor client reads (never sent to the server). */
export const CLIENT_PROPERTIES: Record<string, Record<string, unknown>> = {
  'server.path': {
    type: 'string',
    default: '',
    scope: 'machine-overridable',
    markdownDescription:
      'Command that starts the server, e.g. `/home/me/.venv/bin/ssc-lsp`, or a Python interpreter (then `-m ssc_lsp` is added). ' +
      'May use `~`, `${workspaceFolder}`, `${userHome}` and `${env:NAME}`. ' +
      'Empty: `ssc-lsp` from the active Python environment (ms-python extension or `python.defaultInterpreterPath`), else from PATH, else `python3 -m ssc_lsp`.',
  },
  'server.args': {
    type: 'array',
    items: { type: 'string' },
    default: [],
    scope: 'machine-overridable',
    description: 'Extra arguments for the server command.',
  },
  'server.tcp': {
    type: 'string',
    default: '',
    scope: 'machine-overridable',
    markdownDescription:
      'Connect to a server already running as `ssc-lsp serve --tcp HOST:PORT` instead of starting one, e.g. `127.0.0.1:2087`. Empty: start the server over stdio.',
  },
  'trace.server': {
    type: 'string',
    enum: ['off', 'messages', 'verbose'],
    default: 'off',
    scope: 'window',
    description: 'Log the LSP messages between VS Code and the server in the "ssc" output channel.',
  },
};
