// Finding the dockward binary that runs the language server, and checking that it is one.
//
// Order: the `dockward.server.path` user setting (machine scope: never read from a workspace, trusted or
// not) → the DOCKWARD_SERVER_PATH environment variable (for development) → the binary bundled in the
// .vsix (server/<platform>-<arch>/dockward) → `dockward` on PATH. Nothing found is an error that names
// the setting to change.

import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Where a server binary came from, for the log and the status bar tooltip. */
export type Source = 'setting' | 'environment' | 'bundled' | 'PATH';

export interface Found {
  path: string;
  source: Source;
}

export const SETTING = 'dockward.server.path';
export const ENV_VAR = 'DOCKWARD_SERVER_PATH';

/** The binary's file name on this platform. */
export function exeName(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'dockward.exe' : 'dockward';
}

/** The folder inside the extension that holds the bundled binary, as `scripts/bundle.sh` lays it out. */
export function bundledRelative(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  return path.join('server', `${platform}-${arch}`, exeName(platform));
}

/** `~` and `${userHome}` at the start of a configured path mean the home directory. */
export function expandHome(p: string): string {
  const home = os.homedir();
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  if (p.startsWith('${userHome}')) return path.join(home, p.slice('${userHome}'.length));
  return p;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    if (process.platform !== 'win32') fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Makes the bundled binary executable when the package lost its file mode. */
function ensureExecutable(p: string): boolean {
  if (isExecutableFile(p)) return true;
  try {
    if (!fs.statSync(p).isFile()) return false;
    fs.chmodSync(p, 0o755);
    return isExecutableFile(p);
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH. */
export function onPath(name: string, envPath: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (envPath || '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export class NotFound extends Error {}

/**
 * Finds the server binary. `configured` is the user-level value of `dockward.server.path` only (the
 * caller passes `inspect().globalValue`, never the workspace's).
 */
export function findServer(configured: string | undefined, extensionDir: string, env = process.env): Found {
  const setting = (configured || '').trim();
  if (setting) {
    const p = expandHome(setting);
    if (!isExecutableFile(p)) {
      throw new NotFound(`The ${SETTING} setting names ${p}, which is not an executable file. Change ${SETTING} in your user settings.`);
    }
    return { path: p, source: 'setting' };
  }
  const fromEnv = (env[ENV_VAR] || '').trim();
  if (fromEnv) {
    if (!isExecutableFile(fromEnv)) {
      throw new NotFound(`${ENV_VAR} names ${fromEnv}, which is not an executable file.`);
    }
    return { path: fromEnv, source: 'environment' };
  }
  const bundled = path.join(extensionDir, bundledRelative());
  if (fs.existsSync(bundled) && ensureExecutable(bundled)) {
    return { path: bundled, source: 'bundled' };
  }
  const fromPath = onPath(exeName(), env.PATH);
  if (fromPath) return { path: fromPath, source: 'PATH' };
  throw new NotFound(
    `The dockward binary was not found: this extension has no bundled binary for ${process.platform}-${process.arch} ` +
      `and there is no dockward on PATH. Install dockward (cargo install --path . in its repository) or set ` +
      `${SETTING} in your user settings to its path.`,
  );
}

/** Runs `<binary> --version` and returns the version line ("dockward 0.1.0 (...)"), or throws. */
export function checkVersion(binary: string, timeoutMs = 10000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['--version'], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const line = String(stdout).split('\n')[0].trim();
      if (err) {
        reject(new Error(`${binary} --version failed: ${err.message}${stderr ? `: ${String(stderr).trim()}` : ''}`));
      } else if (!/^dockward \d+\.\d+\.\d+/.test(line)) {
        reject(new Error(`${binary} is not a dockward binary: --version printed "${line}". Check ${SETTING}.`));
      } else {
        resolve(line);
      }
    });
  });
}
