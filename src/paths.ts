// The project folder (where package.json and db/migrations are), found from this module's file:
// the same whether the TypeScript sources run through tsx or `npm start` runs the bundle built
// into node_modules/.cache/pitlane (see package.json "build").
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(from: string): string {
  for (let dir = from; ; ) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'db', 'migrations'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`Pitlane's project folder (package.json and db/migrations) is not above ${from}`);
    dir = up;
  }
}

export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
