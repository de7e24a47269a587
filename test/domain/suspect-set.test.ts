// The whole database's suspect transfers, worked out between requests and kept until the next
// write (src/domain/suspect-set.ts): lineage graphs look their transfers up in it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db.js';
import { getLineage, parseLineageQuery } from '../../src/domain/lineage.js';
import { suspectTransfers } from '../../src/domain/suspect.js';
import { currentSuspectSet, setSuspectSetChunkSize, suspectSetState } from '../../src/domain/suspect-set.js';
import { openDemoDatabase } from '../support/app.js';

let db: Db;
let closeDb: () => void;

beforeEach(() => {
  ({ db, close: closeDb } = openDemoDatabase());
});
afterEach(() => {
  setSuspectSetChunkSize(100);
  closeDb();
});

const truth = () => suspectTransfers(db).map((s) => s.transfer_id);
const built = async () => {
  while (suspectSetState(db).building) await new Promise((resolve) => setImmediate(resolve));
};
const sorted = (ids: Iterable<number>) => [...ids].sort((a, b) => a - b);

describe('the suspect set', () => {
  it('is built between requests after the first ask, and holds exactly the transfers the rules find suspect', async () => {
    expect(truth().length).toBeGreaterThan(0);
    expect(currentSuspectSet(db)).toBeUndefined();
    expect(suspectSetState(db).building).toBe(true);
    await built();
    expect(sorted(currentSuspectSet(db)!)).toEqual(truth());
  });

  it('is dropped by any write: the next graph asks the rules, and the set built again holds the change', async () => {
    currentSuspectSet(db);
    await built();
    const before = currentSuspectSet(db)!;
    // A transfer at approved or in_production that is not suspect, made suspect by a fail (SUS-1)
    // on a completed run that ended after its last review.
    const { id, technology_id, road_model_id } = db.sqlite
      .prepare(`SELECT id, technology_id, road_model_id FROM transfers WHERE stage IN ('approved', 'in_production') AND id NOT IN (${[...before].join(',')}) ORDER BY id LIMIT 1`)
      .get() as { id: number; technology_id: number; road_model_id: number };
    const prototype = db.sqlite.prepare('SELECT min(id) FROM prototypes').pluck().get() as number;
    db.sqlite.exec(`INSERT INTO test_runs (code, prototype_id, title, venue_type, start_time, end_time, status)
      VALUES ('TR-2099-0001', ${prototype}, 'Late fail', 'dyno', '2099-01-01T00:00:00.000Z', '2099-01-01T01:00:00.000Z', 'completed');
      INSERT INTO evidence (test_run_id, technology_id, outcome) VALUES (last_insert_rowid(), ${technology_id}, 'fail')`);
    expect(currentSuspectSet(db)).toBeUndefined();
    const transferEdge = (depth: number) =>
      getLineage(db, parseLineageQuery({ node: `road-model:${road_model_id}`, direction: 'upstream', depth })).edges.find(
        (e) => e.type === 'transfer' && e.from === `technology:${technology_id}`,
      );
    // Asked of the rules while the set is built again.
    expect(transferEdge(1)).toMatchObject({ suspect: true });
    await built();
    expect(sorted(currentSuspectSet(db)!)).toEqual(sorted([...before, id]));
    // Looked up in the new set.
    expect(transferEdge(2)).toMatchObject({ suspect: true });
  });

  it('stops when something is written while it is built, and is built again for the new data', async () => {
    setSuspectSetChunkSize(1);
    currentSuspectSet(db);
    await new Promise((resolve) => setImmediate(resolve));
    expect(suspectSetState(db).building).toBe(true);
    // Between two chunks: a write the first chunks did not see.
    db.sqlite.exec(`UPDATE transfers SET rationale = 'Checked again' WHERE id = (SELECT min(id) FROM transfers)`);
    // The build stops at its next chunk instead of reading on.
    await new Promise((resolve) => setImmediate(resolve));
    expect(suspectSetState(db)).toEqual({ building: false, ready: false });
    expect(currentSuspectSet(db)).toBeUndefined();
    await built();
    expect(sorted(currentSuspectSet(db)!)).toEqual(truth());
  });

  it('marks the same transfers in every demo lineage graph as the rules asked per graph', async () => {
    currentSuspectSet(db);
    await built();
    const suspects = new Set(truth());
    let marked = 0;
    for (const table of ['road_models', 'technologies']) {
      const kind = table === 'road_models' ? 'road-model' : 'technology';
      for (const id of db.sqlite.prepare(`SELECT id FROM ${table}`).pluck().all() as number[]) {
        for (const direction of ['upstream', 'downstream']) {
          const query = parseLineageQuery({ node: `${kind}:${id}`, direction, depth: 6 });
          const graph = getLineage(db, query);
          expect(graph, `${kind}:${id} ${direction}`).toEqual(getLineage(db, query, { suspectTransferIds: suspects }));
          marked += graph.edges.filter((e) => e.suspect).length;
        }
      }
    }
    expect(marked).toBeGreaterThan(0);
  });
});
