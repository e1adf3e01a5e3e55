import assert from 'node:assert/strict';
import { diffOfHunks, diffOfStrings } from '../../src/bridges/text';
import { sidesOfDiff } from '../../src/core/diffSides';

describe('sidesOfDiff (the diff editor’s two sides, from an event’s own diff)', () => {
  it('rebuilds both sides of an edit, with its context lines', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n';
    const after = 'a\nb\nc\nd\nE\nf\ng\nh\ni\nj\nK\n';
    const sides = sidesOfDiff(diffOfStrings('src/a.ts', before, after).diff);
    assert.deepEqual(sides, {
      before: '⋯ line 1 is not in the change\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk',
      after: '⋯ line 1 is not in the change\nb\nc\nd\nE\nf\ng\nh\ni\nj\nK',
      path: 'src/a.ts',
    });
  });

  it('marks what lies between hunks, and names a created file by its new name', () => {
    const diff = diffOfHunks('src/b.ts', [
      { oldStart: 3, oldLines: 1, newStart: 3, newLines: 1, lines: ['-x', '+y'] },
      { oldStart: 10, oldLines: 1, newStart: 10, newLines: 2, lines: [' z', '+w'] },
    ]).diff;
    const sides = sidesOfDiff(diff);
    assert.equal(sides.before, '⋯ lines 1–2 are not in the change\nx\n⋯ lines 4–9 are not in the change\nz');
    assert.equal(sides.after, '⋯ lines 1–2 are not in the change\ny\n⋯ lines 4–9 are not in the change\nz\nw');
    assert.equal(sidesOfDiff(diffOfHunks('new.ts', [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 1, lines: ['+hello'] }], true).diff).path, 'new.ts');
  });

  it('gives empty sides for something that is not a diff, without throwing', () => {
    assert.deepEqual(sidesOfDiff('not a diff at all'), { before: '', after: '', path: undefined });
  });
});
