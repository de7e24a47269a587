// What `npm start` runs, read from package.json: the server test and the bench start the same
// node process (its flags, the bundle `npm run build` makes) instead of a copy of the command.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

/** What `npm start` gives node: the environment variables set before it, its flags, then the bundle's path. */
export interface NpmStart {
  env: Record<string, string>;
  args: string[];
}

/** Builds the bundle and returns how `npm start` runs node. */
export function buildNpmStart(stdio: 'pipe' | 'inherit' = 'pipe'): NpmStart {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT, stdio });
  const start = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  const match = /((?:[A-Z_]+=\S+ )*)node ((?:--\S+ )*)(\S+server\.mjs)/.exec(start);
  if (!match) throw new Error(`npm start does not run node on the bundle: ${start}`);
  const env = Object.fromEntries(match[1]!.split(' ').filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  return { env, args: [...match[2]!.split(' ').filter(Boolean), path.join(PROJECT_ROOT, match[3]!)] };
}
