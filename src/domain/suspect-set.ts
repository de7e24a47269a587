// Which transfers are suspect (SUS-1, SUS-2) in the whole database, kept until the database
// changes (changeStamp: a write on this connection or a commit on another). A lineage graph looks
// its transfers up here instead of asking the rules about them: on the bench database the rules
// took 0.1–1.5 ms of a cold graph, most of the slowest graphs' extra work.
//
// The set is worked out in chunks between requests, started by the first graph that wants it (as
// the lineage index is read), and kept only if nothing was written while it was: every chunk then
// saw the same data. Until it is ready each graph asks the rules about its own transfers.
import { changeStamp, prepared, type Db } from '../db.js';
import { SUSPECT_STAGES_SQL, suspectTransfers } from './suspect.js';

/** Transfers asked about per chunk: a few ms on the bench database. */
let chunkSize = 100;

interface Holder {
  ready?: { stamp: string; ids: ReadonlySet<number> };
  /** The stamp of the database the build in progress reads. */
  building?: string;
}

const holders = new WeakMap<Db, Holder>();

/** The suspect transfers' ids, when known for the database as it is now; else undefined, and a build starts. */
export function currentSuspectSet(db: Db): ReadonlySet<number> | undefined {
  let h = holders.get(db);
  if (!h) holders.set(db, (h = {}));
  const stamp = changeStamp(db);
  if (h.ready?.stamp === stamp) return h.ready.ids;
  if (h.building !== stamp) startBuild(db, h, stamp);
  return undefined;
}

function startBuild(db: Db, h: Holder, stamp: string): void {
  h.building = stamp;
  const candidates = prepared(db, `SELECT id FROM transfers WHERE stage IN (${SUSPECT_STAGES_SQL}) ORDER BY id`).pluck().all() as number[];
  const ids = new Set<number>();
  let next = 0;
  const step = () => {
    // A newer build took over, or the database changed: this one's chunks would not agree.
    if (h.building !== stamp) return;
    try {
      if (changeStamp(db) !== stamp) return void (h.building = undefined);
      const chunk = candidates.slice(next, next + chunkSize);
      next += chunk.length;
      if (chunk.length > 0) for (const s of suspectTransfers(db, { transferIds: chunk })) ids.add(s.transfer_id);
      if (next < candidates.length) return void setImmediate(step);
      if (changeStamp(db) !== stamp) return void (h.building = undefined);
      h.ready = { stamp, ids };
      h.building = undefined;
    } catch {
      // A closed connection (the app stopped): graphs that come later start again.
      h.building = undefined;
    }
  };
  setImmediate(step);
}

/** For tests: whether a build is in progress, and the chunk size (to see a write between chunks). */
export function suspectSetState(db: Db): { building: boolean; ready: boolean } {
  const h = holders.get(db);
  return { building: h?.building !== undefined, ready: h?.ready !== undefined && h.ready.stamp === changeStamp(db) };
}

export function setSuspectSetChunkSize(size: number): void {
  chunkSize = size;
}
