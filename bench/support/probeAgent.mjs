#!/usr/bin/env node
// A stand-in agent for `npm run bench -- agents`: prints a Gemini CLI stream-json run whose user
// messages carry the time they were written ("probe <i> <epoch ms>"), PROBE_COUNT of them at
// PROBE_RATE per second, once the file PROBE_GO exists (the bench creates it when tail is ready).
import { existsSync } from 'node:fs';

const count = Number(process.env.PROBE_COUNT ?? 200);
const rate = Number(process.env.PROBE_RATE ?? 20);
const go = process.env.PROBE_GO;
const line = (o) => process.stdout.write(`${JSON.stringify({ ...o, timestamp: new Date().toISOString() })}\n`);
line({ type: 'init', session_id: 'probe', model: 'probe' });
while (go && !existsSync(go)) await new Promise((r) => setTimeout(r, 20));
const start = Date.now();
for (let i = 0; i < count; i++) {
  const due = start + (i * 1000) / rate;
  if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  line({ type: 'message', role: 'user', content: `probe ${i} ${Date.now()}` });
}
line({ type: 'result', status: 'success', stats: { input_tokens: 0, output_tokens: 0, duration_ms: Date.now() - start, tool_calls: 0 } });
