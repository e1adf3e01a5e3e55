// An approval names exactly what was approved. The agent's runner shows a request's input as text
// (`reviewText`); a viewer shows that text, whole, and sends its SHA-256 with the approval; the
// runner lets the agent go on only when that hash is the one of the input it is about to send
// back. So an approval of "npm test" cannot let through a second line nobody saw, nor an input
// that changed after it was shown. Web Crypto: the same code in Node (20+) and a browser.

/** The text of a tool's input as a viewer sees it: the whole input as indented JSON, nothing left out. */
export function reviewText(input: Record<string, unknown>): string {
  return JSON.stringify(input, null, 2);
}

/** SHA-256 of `text` (UTF-8), lowercase hex. */
export async function inputHash(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** UTF-8 bytes of `text`. */
export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
