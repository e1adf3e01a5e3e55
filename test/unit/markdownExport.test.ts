// Copy as Markdown and `export --format markdown` with an agent's text in every field: rendered as
// GitHub would (HTML allowed, links made of bare URLs aside), nothing of it becomes markup.
import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import type { TimelineEntry } from '../../src/shared/entries';
import type { SessionEvent } from '../../src/shared/events';
import { codeSpan, sessionMarkdown } from '../../src/shared/markdown';

const EVIL = 'x\n\n## Owned [link](https://evil.example) <img src=x onerror=alert(1)>\n\n> quoted\n1) item\n===\n- item\n| a | b |\n|---|---|\n<!-- c -->';
const ev = (seq: number, type: SessionEvent['type'], data: Record<string, unknown>): TimelineEntry => ({ kind: 'event', event: { id: `e${seq}`, sessionId: 's', seq, type, data, createdAt: '2026-12-03T10:00:00Z' } as SessionEvent });

describe('Markdown of a session whose every field is hostile', () => {
  const md = sessionMarkdown(
    [
      ev(1, 'state_changed', { from: `pending${EVIL}`, to: `running${EVIL}`, reason: EVIL }),
      ev(2, 'thinking', { iteration: 1, toolsUsed: [`Bash${EVIL}`, '`tick`'], text: EVIL }),
      ev(3, 'terminal', { command: EVIL, output: EVIL, error: EVIL, status: EVIL }),
      ev(4, 'file_change', { path: `src/a.ts${EVIL}`, action: 'write', diff: EVIL }),
      ev(5, 'files_changed', { files: [{ path: EVIL, action: 'write' }, { path: '``x``', action: 'delete' }] }),
      ev(6, 'error', { message: EVIL, recoverable: true }),
      ev(7, 'completion', { message: EVIL, stats: { iterations: 1, inputTokens: 1, outputTokens: 1, toolCalls: 1 } }),
      { kind: 'malformed', malformed: { id: 'm', seq: 8, reason: EVIL, raw: EVIL } } as TimelineEntry,
    ],
    { title: EVIL, state: `completed${EVIL}`, source: EVIL, createdAt: EVIL, events: 8 },
  );
  const html = new MarkdownIt({ html: true, linkify: false }).render(md);

  it('has no link, image, HTML, heading, quote, table or list of the agent’s', () => {
    assert.doesNotMatch(html, /<a |<img|<!--|<blockquote|<table|<h[13-6]|<ol|<hr/, html);
    // Our own: the one title heading, and the lists of state changes and files.
    assert.equal((html.match(/<h2>/g) ?? []).length, 1);
    for (const li of html.match(/<li>[\s\S]*?<\/li>/g) ?? []) assert.match(li, /^<li>(<p>)?(#\d|Deleted|<code>|⚠)/, li);
  });

  it('shows a path with newlines and backticks on one line, as written', () => {
    assert.equal(codeSpan('a\n\nb'), '`a␊␊b`');
    assert.equal(codeSpan('``x``'), '``` ``x`` ```');
    assert.match(html, /<code>src\/a\.tsx␊␊## Owned \[link\]\(https:\/\/evil\.example\) &lt;img src=x onerror=alert\(1\)&gt;/);
  });
});
