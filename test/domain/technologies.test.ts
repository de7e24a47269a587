import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/domain/actor.js';
import { RuleViolationError } from '../../src/domain/errors.js';
import {
  ancestorIds,
  createTechnology,
  descendantIds,
  findTechnologyByName,
  listTechnologies,
  updateTechnology,
  type Technology,
} from '../../src/domain/technologies.js';
import { createTechnologyCategory, findTechnologyCategoryByName } from '../../src/domain/technology-categories.js';
import { migrateDatabase, openDatabase, type Db } from '../../src/db.js';
import { countRows, tempDir } from '../support/app.js';

let db: Db;
let dir: string;
let categoryId: number;

beforeAll(() => {
  dir = tempDir();
  db = openDatabase(path.join(dir, 'pitlane.db'));
  migrateDatabase(db);
  categoryId = createTechnologyCategory(db, SYSTEM_ACTOR, { name: 'Inverter', venue_types: ['hil', 'dyno', 'hil' as const] }).id;
});
afterAll(() => {
  db.sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const make = (name: string, derived_from: number[] = []): Technology =>
  createTechnology(db, SYSTEM_ACTOR, { name, domain: 'hardware', category_id: categoryId, derived_from });

describe('technology domain', () => {
  it('finds categories and technologies by name, with their nested sets', () => {
    const cat = findTechnologyCategoryByName(db, 'Inverter');
    expect(cat?.venue_types).toEqual(['dyno', 'hil']);
    expect(findTechnologyCategoryByName(db, 'Nope')).toBeUndefined();
    const parent = make('Race inverter');
    make('Road inverter', [parent.id]);
    expect(findTechnologyByName(db, 'Road inverter')?.derived_from).toEqual([parent.id]);
    expect(findTechnologyByName(db, 'Nope')).toBeUndefined();
  });

  it('ancestorIds and descendantIds follow derivations transitively, each node once (diamond)', () => {
    // A → B, A → C, B → D, C → D, D → E
    const a = make('Lineage A');
    const b = make('Lineage B', [a.id]);
    const c = make('Lineage C', [a.id]);
    const d = make('Lineage D', [b.id, c.id]);
    const e = make('Lineage E', [d.id]);
    expect(ancestorIds(db, e.id)).toEqual([a.id, b.id, c.id, d.id]);
    expect(ancestorIds(db, d.id)).toEqual([a.id, b.id, c.id]);
    expect(ancestorIds(db, a.id)).toEqual([]);
    expect(descendantIds(db, a.id)).toEqual([b.id, c.id, d.id, e.id]);
    expect(descendantIds(db, c.id)).toEqual([d.id, e.id]);
    expect(descendantIds(db, e.id)).toEqual([]);
  });

  it('DER-1: updateTechnology throws a RuleViolationError naming the rule and the field, writing nothing', () => {
    const a = make('Rule A');
    const b = make('Rule B', [a.id]);
    const c = make('Rule C', [b.id]);
    const rows = countRows(db, 'technology_derivations');
    const events = countRows(db, 'audit_events');
    let thrown: unknown;
    try {
      updateTechnology(db, SYSTEM_ACTOR, a.id, 1, { name: 'Rule A renamed', derived_from: [c.id] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RuleViolationError);
    const violation = thrown as RuleViolationError;
    expect(violation.rule).toBe('DER-1');
    expect(violation.message).toBe('deriving Rule A from Rule C would make a cycle: Rule A → Rule B → Rule C → Rule A');
    expect(violation.errors).toEqual([{ path: '/derived_from/0', message: violation.message }]);
    expect(countRows(db, 'technology_derivations')).toBe(rows);
    expect(countRows(db, 'audit_events')).toBe(events);
    expect(findTechnologyByName(db, 'Rule A')).toMatchObject({ version: 1, derived_from: [] });
  });

  it('DER-1: keeping existing parents while adding an unrelated one is allowed', () => {
    const p = make('Keep P');
    const q = make('Keep Q');
    const child = make('Keep child', [p.id]);
    const after = updateTechnology(db, SYSTEM_ACTOR, child.id, 1, { derived_from: [p.id, q.id] });
    expect(after.derived_from).toEqual([p.id, q.id]);
    expect(after.version).toBe(2);
  });

  it('lists with derived_from loaded for the whole page', () => {
    const page = listTechnologies(db, { q: 'Lineage', limit: 10 });
    const byName = new Map(page.items.map((t) => [t.name, t]));
    expect(page.items).toHaveLength(5);
    expect(byName.get('Lineage D')!.derived_from).toEqual([byName.get('Lineage B')!.id, byName.get('Lineage C')!.id]);
    expect(byName.get('Lineage A')!.derived_from).toEqual([]);
  });
});
