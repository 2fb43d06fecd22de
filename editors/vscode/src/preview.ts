import * as vscode from 'vscode';

/**
 * Read-only virtual markdown documents (scheme "ssc-preview") shown in VS Code's
 * markdown preview. One document per kind ("explain", "context", ...) so that a
 * new result refreshes the open preview instead of piling up tabs, and nothing
 * is left behind as an unsaved untitled file.
 */
export class MarkdownPreview implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'ssc-preview';
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(MarkdownPreview.scheme, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? '';
  }

  async show(name: string, markdown: string): Promise<void> {
    const slug = name.replace(/[^A-Za-z0-9._-]+/g, '-');
    const uri = vscode.Uri.from({ scheme: MarkdownPreview.scheme, path: `/ssc ${slug}.md` });
    const known = this.contents.has(uri.path);
    this.contents.set(uri.path, markdown);
    if (known) {
      this.changed.fire(uri);
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== 'markdown') {
      await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    }
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    } catch {
      // The built-in markdown extension is disabled: show the source instead.
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
