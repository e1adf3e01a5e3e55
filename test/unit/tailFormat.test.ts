import assert from 'node:assert/strict';
import { safeText } from '../../src/cli/tailFormat';

describe('tail: event text printed to a terminal', () => {
  it('keeps colour codes (when colouring) and shows every other control character, C0 and C1, as \\xNN', () => {
    const hostile = 'ok \u001b[32mgreen\u001b[0m \u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007 \u009b2J \u009d0;title\u009c bell\u0007';
    assert.equal(safeText(hostile, true), 'ok \u001b[32mgreen\u001b[0m \\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07 \\x9b2J \\x9d0;title\\x9c bell\\x07');
    assert.equal(safeText(hostile, false), 'ok green \\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07 \\x9b2J \\x9d0;title\\x9c bell\\x07');
    assert.equal(safeText('tab\tand newline\nstay, é and ✓ too', false), 'tab\tand newline\nstay, é and ✓ too');
  });
});
