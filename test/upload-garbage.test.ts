import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { UPLOAD_COLLECT_EVERY, UploadGarbage } from '../src/upload-garbage.js';

describe('UploadGarbage', () => {
  it('collects the young generation once every 4 MB of upload, not per chunk', () => {
    const calls: unknown[] = [];
    const garbage = new UploadGarbage((options) => calls.push(options));
    const chunk = 64 * 1024;
    for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk) garbage.passed(chunk);
    expect(calls).toEqual([{ type: 'minor' }, { type: 'minor' }]);
    garbage.passed(UPLOAD_COLLECT_EVERY);
    expect(calls).toHaveLength(3);
  });

  it('collects once more when the upload is written, if any bytes came since the last collection', () => {
    const calls: unknown[] = [];
    const garbage = new UploadGarbage((options) => calls.push(options));
    garbage.passed(UPLOAD_COLLECT_EVERY);
    expect(calls).toHaveLength(1);
    garbage.finished();
    expect(calls).toHaveLength(1);
    garbage.passed(1024);
    garbage.finished();
    expect(calls).toEqual([{ type: 'minor' }, { type: 'minor' }]);
  });

  it('does nothing when node runs without --expose-gc (tests, npm run dev)', () => {
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(() => new UploadGarbage().passed(UPLOAD_COLLECT_EVERY * 2)).not.toThrow();
  });

  it("works with this node: npm start's --expose-gc gives gc(), which takes { type: 'minor' }", () => {
    const out = execFileSync(process.execPath, ['--expose-gc', '-e', "gc({ type: 'minor' }); process.stdout.write(typeof gc)"], { encoding: 'utf8' });
    expect(out).toBe('function');
  });
});
