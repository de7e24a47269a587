// What `npm start` runs, read from package.json: the server test and the bench start the same
// node process (its flags, the bundle `npm run build` makes) instead of a copy of the command.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

/** Builds the bundle and returns node's arguments as `npm start` gives them: its flags, then the bundle's path. */
export function buildNpmStart(stdio: 'pipe' | 'inherit' = 'pipe'): string[] {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT, stdio });
  const start = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  const match = /node ((?:--\S+ )*)(\S+server\.mjs)/.exec(start);
  if (!match) throw new Error(`npm start does not run node on the bundle: ${start}`);
  return [...match[1]!.split(' ').filter(Boolean), path.join(PROJECT_ROOT, match[2]!)];
}
