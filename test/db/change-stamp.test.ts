// cachedUntilChange: a whole-table read shown on every page is answered from memory until the
// database may have changed, by this connection or by another (the import worker, the CLI).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedUntilChange, migrateDatabase, openDatabase, type Db } from '../../src/db.js';
import { tempDir } from '../support/app.js';

let dir: string;
let db: Db;
let other: Db;

beforeEach(() => {
  dir = tempDir();
  const file = path.join(dir, 'pitlane.db');
  db = openDatabase(file);
  migrateDatabase(db);
  other = openDatabase(file);
});

afterEach(() => {
  db.sqlite.close();
  other.sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('cachedUntilChange', () => {
  const names = (d: Db) => (d.sqlite.prepare('SELECT name FROM series ORDER BY name').pluck().all() as string[]);

  it('reads once while nothing changes, again after a write on this connection or a commit on another', () => {
    let reads = 0;
    const cached = cachedUntilChange((d) => {
      reads++;
      return names(d);
    });
    expect(cached(db)).toEqual([]);
    expect(cached(db)).toEqual([]);
    expect(reads).toBe(1);

    db.sqlite.prepare(`INSERT INTO series (name) VALUES ('Formula E')`).run();
    expect(cached(db)).toEqual(['Formula E']);
    expect(reads).toBe(2);

    other.sqlite.prepare(`INSERT INTO series (name) VALUES ('Super GT')`).run();
    expect(cached(db)).toEqual(['Formula E', 'Super GT']);
    expect(reads).toBe(3);

    // A write that changes no row changes nothing.
    db.sqlite.prepare(`UPDATE series SET name = name WHERE 0`).run();
    expect(cached(db)).toEqual(['Formula E', 'Super GT']);
    expect(reads).toBe(3);
  });

  it('keeps one value per connection', () => {
    const cached = cachedUntilChange(names);
    db.sqlite.prepare(`INSERT INTO series (name) VALUES ('Super Taikyu')`).run();
    expect(cached(other)).toEqual(['Super Taikyu']);
    expect(cached(db)).toEqual(['Super Taikyu']);
  });
});
