// Text an agent or the database hands us (messages, titles, paths, requests) is untrusted: where
// VS Code gives some characters a meaning, they must stay characters. A notification turns
// `[label](command:id?args)` into a link that runs a VS Code command; status bar text, quick picks
// and input titles draw `$(name)` as an icon; a MarkdownString (hovers, tooltips) renders links,
// images, HTML and headings; control and bidirectional-override characters can break a line or
// make text read as something it is not. Every such sink takes its text through one of these.

/** C0 and C1 controls (newlines and tabs too) and DEL. */
// eslint-disable-next-line no-control-regex -- matching controls is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]+/g;
/** Bidirectional embeddings, overrides and isolates: they reorder what is shown. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
/** What VS Code's notification link parser needs between label and target. */
const LINK_JOINT = /\]\(/g;
/** CommonMark lets every ASCII punctuation character be escaped with a backslash. */
const MARKDOWN_PUNCTUATION = /[!-/:-@[-`{-~]/g;

/**
 * One line of plain text: controls become a space (runs of them one space), bidirectional
 * controls are dropped, and past `max` characters it is cut with an ellipsis.
 */
export function oneLine(text: unknown, max = 500): string {
  const s = (typeof text === 'string' ? text : text === undefined || text === null ? '' : String(text)).replace(BIDI, '').replace(CONTROLS, ' ');
  return s.length > max ? `${s.slice(0, Math.max(0, max - 1))}…` : s;
}

/**
 * For a notification's message (`showInformationMessage` and its kin, modal ones too): a
 * `[label](target)` can no longer form a link (a zero-width space goes between `]` and `(`, so the
 * text reads the same and runs nothing).
 */
export function notificationText(text: unknown, max = 500): string {
  return oneLine(text, max).replace(LINK_JOINT, ']\u200b(');
}

/**
 * For text VS Code draws with icons (status bar text, quick pick label / description / detail,
 * input box titles, status bar messages): `$(name)` is shown as written, not as an icon.
 */
export function labelText(text: unknown, max = 500): string {
  return oneLine(text, max).replace(/\$\(/g, '\\$(');
}

/**
 * For a MarkdownString (tooltips, hovers), with or without theme icons: every punctuation
 * character escaped, so nothing becomes a link, an image, HTML, an emphasis, a heading or an
 * autolink (`https\://…`). A backslash does not keep `$(name)` from becoming an icon there (VS Code
 * unescapes before it draws icons), so a zero-width space goes between `$` and `(`.
 */
export function markdownText(text: unknown, max = 500): string {
  return oneLine(text, max).replace(/\$\(/g, '$\u200b(').replace(MARKDOWN_PUNCTUATION, '\\$&');
}
