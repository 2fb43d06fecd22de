import * as vscode from 'vscode';

/** The parts of the ms-python extension API that we use (both the current and the older API). */
interface PythonApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(env: { path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails?(resource?: vscode.Uri): { execCommand: string[] | undefined };
    onDidChangeExecutionDetails?: vscode.Event<unknown>;
  };
}

async function pythonApi(): Promise<PythonApi | undefined> {
  const ext = vscode.extensions.getExtension<PythonApi>('ms-python.python');
  if (!ext) {
    return undefined;
  }
  try {
    return ext.isActive ? ext.exports : await ext.activate();
  } catch {
    return undefined;
  }
}

/**
 * The command prefix that runs the active Python interpreter for `resource`:
 * from the ms-python extension when installed, else from `python.defaultInterpreterPath`.
 */
export async function activePythonCommand(resource: vscode.Uri | undefined, log: (msg: string) => void): Promise<string[] | undefined> {
  const api = await pythonApi();
  if (api?.environments) {
    try {
      const envPath = api.environments.getActiveEnvironmentPath(resource);
      if (envPath) {
        const env = await api.environments.resolveEnvironment(envPath);
        const exe = env?.executable?.uri?.fsPath;
        if (exe) {
          return [exe];
        }
      }
    } catch (err) {
      log(`ms-python environments API failed: ${String(err)}`);
    }
  }
  if (api?.settings?.getExecutionDetails) {
    try {
      const cmd = api.settings.getExecutionDetails(resource).execCommand;
      if (cmd && cmd.length > 0) {
        return cmd;
      }
    } catch (err) {
      log(`ms-python execution details failed: ${String(err)}`);
    }
  }
  const configured = vscode.workspace.getConfiguration('python', resource).get<string>('defaultInterpreterPath');
  if (configured && configured.trim() !== '' && configured.trim() !== 'python') {
    return [configured.trim()];
  }
  return undefined;
}

/** Calls `listener` when the active Python environment changes. */
export async function onPythonEnvironmentChange(listener: () => void): Promise<vscode.Disposable | undefined> {
  const api = await pythonApi();
  const event = api?.environments?.onDidChangeActiveEnvironmentPath ?? api?.settings?.onDidChangeExecutionDetails;
  return event ? event(() => listener()) : undefined;
}
