// The dockward extension: starts `dockward lsp` for Dockerfiles and .dockerignore files, shows the
// server's state in the status bar, and offers restart, show-log and fix-all commands.

import * as vscode from 'vscode';
import {
  ConfigurationParams,
  DocumentSelector,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

import { checkVersion, Found, findServer, SETTING } from './discovery';

/** The code action kind of the server's fix-all action. */
const FIX_ALL = vscode.CodeActionKind.SourceFixAll.append('dockward');

/**
 * Dockerfiles by language id (VS Code's built-in `dockerfile`) and by name, and ignore files by name
 * whatever language id they get (`ignore`, `plaintext`, ...): the server tells them apart by name.
 */
export const DOCUMENT_SELECTOR: DocumentSelector = [
  { scheme: 'file', language: 'dockerfile' },
  { scheme: 'untitled', language: 'dockerfile' },
  { scheme: 'file', pattern: '**/{Dockerfile,Containerfile,*.Dockerfile,*.dockerfile,Dockerfile.*,Containerfile.*}' },
  { scheme: 'file', pattern: '**/{.dockerignore,*.dockerignore,.containerignore}' },
];

let client: LanguageClient | undefined;
let found: Found | undefined;
let version: string | undefined;
let lastError: string | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('dockward');
  status = vscode.window.createStatusBarItem('dockward.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'dockward';
  status.command = 'dockward.showLog';
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand('dockward.restartServer', () => restart(context)),
    vscode.commands.registerCommand('dockward.showLog', () => output.show(true)),
    vscode.commands.registerCommand('dockward.fixAll', fixAll),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTING) || e.affectsConfiguration('dockward.diagnosticMode')) {
        void restart(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

function showStatus(state: 'starting' | 'running' | 'stopped' | 'error'): void {
  const icon = { starting: '$(sync~spin)', running: '$(check)', stopped: '$(circle-slash)', error: '$(error)' }[state];
  status.text = `${icon} dockward`;
  // User-facing texts go through vscode.l10n (translations in l10n/bundle.l10n.<lang>.json); the output
  // channel's lines are logs for bug reports and stay English.
  const label = {
    starting: vscode.l10n.t('starting'),
    running: vscode.l10n.t('running'),
    stopped: vscode.l10n.t('stopped'),
    error: vscode.l10n.t('error'),
  }[state];
  const lines = [vscode.l10n.t('dockward language server: {0}', label)];
  if (version) lines.push(version);
  if (found) lines.push(vscode.l10n.t('{0} (from {1})', found.path, found.source === 'setting' ? SETTING : found.source));
  if (state === 'error' && lastError) lines.push(lastError);
  lines.push(vscode.l10n.t('Click to show the log'));
  status.tooltip = lines.join('\n');
  status.backgroundColor = state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  status.show();
}

/** The user-level server path: machine-scoped, so never a workspace's value even if one is written. */
function configuredPath(): string | undefined {
  return vscode.workspace.getConfiguration('dockward').inspect<string>('server.path')?.globalValue;
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  showStatus('starting');
  lastError = undefined;
  try {
    found = findServer(configuredPath(), context.extensionPath);
    version = await checkVersion(found.path);
  } catch (e) {
    lastError = e instanceof Error ? e.message : String(e);
    output.appendLine(`error: ${lastError}`);
    showStatus('error');
    const open = vscode.l10n.t('Open Settings');
    void vscode.window.showErrorMessage(`dockward: ${lastError}`, open, vscode.l10n.t('Show Log')).then((pick) => {
      if (pick === open) void vscode.commands.executeCommand('workbench.action.openSettings', SETTING);
      else if (pick) output.show(true);
    });
    return;
  }
  output.appendLine(`starting ${found.path} lsp (${version}; found via ${found.source})`);
  const exe = { command: found.path, args: ['lsp'] };
  const serverOptions: ServerOptions = { run: exe, debug: exe };
  const mode = vscode.workspace.getConfiguration('dockward').get<string>('diagnosticMode', 'auto');
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    traceOutputChannel: output,
    initializationOptions: mode === 'push' || mode === 'pull' ? { diagnosticMode: mode } : {},
    synchronize: { configurationSection: 'dockward' },
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          return Array.isArray(result) ? result.map((r, i) => sanitize(params, i, r)) : result;
        },
      },
    },
  };
  client = new LanguageClient('dockward', 'dockward', serverOptions, clientOptions);
  client.onDidChangeState((e) => {
    showStatus(e.newState === State.Running ? 'running' : e.newState === State.Starting ? 'starting' : 'stopped');
  });
  try {
    await client.start();
  } catch (e) {
    lastError = e instanceof Error ? e.message : String(e);
    output.appendLine(`error: the server did not start: ${lastError}`);
    showStatus('error');
  }
}

/**
 * The `dockward` section as the server should see it: `registry` only from the user's settings (its
 * scope is machine already; this also ignores a value a workspace wrote anyway), and without the
 * editor-only keys.
 */
function sanitize(params: ConfigurationParams, index: number, value: unknown): unknown {
  const item = params.items[index];
  if (!item || item.section !== 'dockward' || value === null || typeof value !== 'object') return value;
  const section: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  delete section.server;
  delete section.trace;
  const registry = vscode.workspace.getConfiguration('dockward').inspect<object>('registry');
  section.registry = registry?.globalValue ?? {};
  return section;
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop();
    } catch (e) {
      output.appendLine(`error while stopping the server: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  output.appendLine('restarting the server');
  await stop();
  await start(context);
}

/** Applies the server's fix-all action to the active Dockerfile. */
async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage(vscode.l10n.t('dockward: open a Dockerfile to fix.'));
    return;
  }
  const doc = editor.document;
  const whole = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      whole,
      FIX_ALL.value,
      1, // resolve the first action: the server computes the fix-all edit lazily
    )) || [];
  const action = actions.find((a) => a.kind && FIX_ALL.contains(a.kind) && a.edit);
  if (!action || !action.edit) {
    void vscode.window.showInformationMessage(vscode.l10n.t('dockward: nothing to fix automatically in this file.'));
    return;
  }
  if (!(await vscode.workspace.applyEdit(action.edit))) {
    void vscode.window.showErrorMessage(vscode.l10n.t('dockward: the fixes could not be applied (the file changed?).'));
  }
}
