// Building DOM from event data without ever parsing it as HTML: text goes in as text nodes.
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

/** Text with the search query's occurrences wrapped in <mark>, all as text nodes. */
export function highlighted(text: string, parts: Array<{ text: string; hit: boolean }>): DocumentFragment {
  const f = document.createDocumentFragment();
  if (parts.length === 0) f.append(text);
  for (const p of parts) f.append(p.hit ? h('mark', {}, p.text) : document.createTextNode(p.text));
  return f;
}

/**
 * Makes `parent`'s children exactly `rows`, in that order, moving as little as possible: rows that
 * stay stay in place (re-inserting costs a style pass each), new ones go in at their position, so
 * the DOM order is the reading order for screen readers and Tab. Returns the rows newly inserted.
 */
export function placeInOrder(parent: HTMLElement, rows: HTMLElement[]): HTMLElement[] {
  const keep = new Set<Element>(rows);
  for (const el of [...parent.children]) if (!keep.has(el)) el.remove();
  const fresh: HTMLElement[] = [];
  let cursor = parent.firstElementChild;
  for (const el of rows) {
    if (el === cursor) cursor = cursor.nextElementSibling;
    else {
      fresh.push(el);
      parent.insertBefore(el, cursor);
    }
  }
  return fresh;
}
