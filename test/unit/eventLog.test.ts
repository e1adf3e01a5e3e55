import assert from 'node:assert/strict';
import { EventLog } from '../../src/core/eventLog';
import type { TimelineEntry } from '../../src/shared/entries';
import { parseEventRow } from '../../src/shared/events';

const row = (seq: number, id = `id-${seq}`) => parseEventRow({ id, session_id: 's', seq, event_type: 'thinking', event_data: { iteration: seq }, created_at: '2026-11-25T10:00:00Z' });
const seqs = (entries: readonly TimelineEntry[]) => entries.map((e) => (e.kind === 'event' ? e.event.seq : `bad:${e.malformed.seq}`));

describe('EventLog', () => {
  it('orders by seq and appends what is new', () => {
    const log = new EventLog();
    const first = log.add([row(3), row(1), row(2)]);
    assert.deepEqual(seqs(first.appended), [1, 2, 3]);
    assert.equal(log.lastSeq, 3);
    assert.deepEqual(seqs(log.add([row(5)]).appended), [5]);
  });

  it('drops duplicates by id (a backfill overlapping live events)', () => {
    const log = new EventLog();
    log.add([row(1), row(2)]);
    const again = log.add([row(1), row(2), row(3), row(3)]);
    assert.deepEqual(seqs(again.appended), [3]);
    assert.equal(again.duplicates, 3);
    assert.deepEqual(seqs(log.entries()), [1, 2, 3]);
  });

  it('puts a late commit (lower seq after a higher one) in its place and reports it as inserted', () => {
    const log = new EventLog();
    log.add([row(10), row(30)]);
    const late = log.add([row(20), row(40)]);
    assert.deepEqual(seqs(late.inserted), [20]);
    assert.deepEqual(seqs(late.appended), [40]);
    assert.deepEqual(seqs(log.entries()), [10, 20, 30, 40]);
    assert.equal(log.lastSeq, 40);
  });

  it('keeps malformed rows with their reason, in place when their seq is known, at the end otherwise', () => {
    const log = new EventLog();
    const bad = parseEventRow({ id: 'bad', session_id: 's', seq: 2, event_type: 'thinking', event_data: { iteration: 'x' }, created_at: 'now' });
    const worse = parseEventRow({ nonsense: true });
    log.add([row(1), bad, row(3), worse]);
    assert.deepEqual(seqs(log.entries()), [1, 'bad:2', 3, 'bad:null']);
    assert.equal(log.add([bad]).duplicates, 1, 'a malformed row with an id is deduplicated too');
  });

  it('stays exactly-once and ordered over a shuffled stream with repeats', () => {
    const log = new EventLog();
    const delivered: number[] = [];
    let state = 42;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const batch = Array.from({ length: 5 }, () => row(1 + Math.floor(random() * 500)));
      const r = log.add(batch);
      delivered.push(...(seqs(r.appended) as number[]), ...(seqs(r.inserted) as number[]));
    }
    assert.equal(new Set(delivered).size, delivered.length, 'no event delivered twice');
    const all = seqs(log.entries()) as number[];
    assert.deepEqual(all, [...all].sort((a, b) => a - b));
    assert.equal(all.length, delivered.length);
  });
});
