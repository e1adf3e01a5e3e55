// The annotation model without a server: rows from REST or Realtime, the size rule in words, and a
// set that ends in the same state whatever order copies arrive in.
import assert from 'node:assert/strict';
import { annotationBodyProblem, AnnotationSet, parseAnnotationRow, type Annotation } from '../../src/shared/annotations';

const note = (id: string, body: string, createdAt: string, editedAt: string | null = null): Annotation => ({ id, eventId: 'e', sessionId: 's', userId: 'u', authorName: 'ada@example.com', body, createdAt, editedAt });

describe('annotations model', () => {
  it('reads a database row and refuses what is not one', () => {
    const row = { id: 'a', event_id: 'e', session_id: 's', user_id: 'u', author_name: 'ada@example.com', body: 'hi', created_at: '2026-11-25T10:00:00Z', edited_at: null };
    assert.deepEqual(parseAnnotationRow(row), { id: 'a', eventId: 'e', sessionId: 's', userId: 'u', authorName: 'ada@example.com', body: 'hi', createdAt: '2026-11-25T10:00:00Z', editedAt: null });
    assert.equal(parseAnnotationRow({ ...row, author_name: '' })?.authorName, 'someone', 'a note always has someone to show');
    assert.equal(parseAnnotationRow({ ...row, body: 42 }), undefined);
    assert.equal(parseAnnotationRow({ id: 'only-a-key' }), undefined, 'a DELETE payload is not a note');
    assert.equal(parseAnnotationRow(null), undefined);
  });

  it('says what is wrong with a body, in bytes as the database counts', () => {
    assert.match(annotationBodyProblem(' \n ')!, /cannot be empty/);
    assert.equal(annotationBodyProblem('x'.repeat(4096)), undefined);
    assert.match(annotationBodyProblem('x'.repeat(4097))!, /at most 4 KiB; this one is 4\.0 KiB/);
    assert.match(annotationBodyProblem('€'.repeat(1366))!, /at most 4 KiB/, '1,366 characters but 4,098 bytes');
  });

  it('keeps the latest version whatever order copies arrive in, and lists oldest first', () => {
    const first = note('a', 'draft', '2026-11-25T10:00:00Z');
    const edited = note('a', 'final', '2026-11-25T10:00:00Z', '2026-11-25T10:05:00Z');
    const set = new AnnotationSet();
    assert.equal(set.upsert(edited), true);
    assert.equal(set.upsert(first), false, 'an older copy (a reload that raced the edit) does not undo it');
    assert.equal(set.upsert(edited), false, 'the same version twice is no change');
    set.upsert(note('b', 'earlier', '2026-11-25T09:00:00Z'));
    assert.deepEqual(set.list().map((a) => a.body), ['earlier', 'final']);
    assert.equal(set.remove('a'), true);
    assert.equal(set.remove('a'), false);
  });

  it('replaceAll reports exactly what a reload changed', () => {
    const set = new AnnotationSet();
    set.replaceAll([note('keep', 'k', '2026-11-25T10:00:00Z'), note('edit', 'old', '2026-11-25T10:01:00Z'), note('drop', 'd', '2026-11-25T10:02:00Z')]);
    const changes = set.replaceAll([note('keep', 'k', '2026-11-25T10:00:00Z'), note('edit', 'new', '2026-11-25T10:01:00Z', '2026-11-25T10:03:00Z'), note('add', 'a', '2026-11-25T10:04:00Z')]);
    assert.deepEqual(changes.upserted.map((a) => a.id), ['edit', 'add']);
    assert.deepEqual(changes.removed, ['drop']);
    assert.deepEqual(set.list().map((a) => a.body), ['k', 'new', 'a']);
  });
});
