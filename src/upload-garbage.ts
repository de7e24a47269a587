// An upload arrives as 64 KB socket buffers held outside V8's heap. Once written to disk they are
// garbage, but V8 frees them only at its next collection, and an upload allocates too little on the
// heap to cause one: a 27 MB CSV left ~21 MB of dead buffers, and the server's RSS that much
// higher, until later requests filled the young generation. `npm start` runs node with
// `--expose-gc`, and a young-generation collection every 4 MB frees them as the upload goes
// (measured: +1–2 MB instead of +21–23 MB for that CSV; each collection takes about a millisecond).
// Without the flag (tests, `npm run dev`) this does nothing.

type MinorCollect = (options: { type: 'minor' }) => void;

/** Bytes of upload between two collections. */
export const UPLOAD_COLLECT_EVERY = 4 * 1024 * 1024;

const exposed = (globalThis as { gc?: MinorCollect }).gc;

/** Counts an upload's bytes and collects the young generation every UPLOAD_COLLECT_EVERY of them. */
export class UploadGarbage {
  private since = 0;

  constructor(private readonly collect: MinorCollect | undefined = exposed) {}

  /** Call after each chunk is handed on (written or queued). */
  passed(bytes: number): void {
    if (!this.collect) return;
    this.since += bytes;
    if (this.since >= UPLOAD_COLLECT_EVERY) this.collectNow();
  }

  /**
   * Call once the upload is written: the buffers since the last collection (up to 4 MB) are
   * freed now, before what comes next (an import starts its worker) adds its own memory.
   */
  finished(): void {
    // Without a collector nothing is counted: `since` stays 0.
    if (this.since > 0) this.collectNow();
  }

  private collectNow(): void {
    this.since = 0;
    this.collect?.({ type: 'minor' });
  }
}
