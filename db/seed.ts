// Demo data from public facts (DESIGN §7): filled in by the demo-data work.
import type { Db } from '../src/db.js';

export interface SeedResult {
  seeded: boolean;
}

export function seedDemoData(_db: Db): SeedResult {
  return { seeded: false };
}
