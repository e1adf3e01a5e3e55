#!/usr/bin/env node
// A stand-in for Claude Code started with `-p --input-format stream-json --output-format
// stream-json --verbose --permission-prompt-tool stdio`, for tests and benchmarks: it reads user
// messages and control responses (one JSON line each) from stdin and answers each user message with
// a turn of its own, ended by a `result`, as Claude Code does. What a turn does is its text:
//   "work N"  — N lines "tick k", STANDIN_TICK_MS apart (default 100), each also written to
//               STANDIN_TICK_FILE when set (so a test sees it is paused: no new ticks);
//   "ask"     — the recorded `control_request` in STANDIN_REQUEST (a fixture file), then waits for
//               the control_response and says what it got ("allow" or "deny: <message>");
//   anything  — "echo: <text>".
// Messages that arrive during a turn wait for the next. It exits 0 when stdin ends and no turn
// runs, 130 on SIGINT (as agents do when stopped). STANDIN_PID_FILE gets its process id, and
// STANDIN_ENV_FILE the environment it was given (as JSON).
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import readline from 'node:readline';

const tickMs = Number(process.env.STANDIN_TICK_MS ?? 100);
const out = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const say = (text, id) => out({ type: 'assistant', message: { id, role: 'assistant', content: [{ type: 'text', text }] }, session_id: 'standin-1' });
// STANDIN_SIGNAL_FILE gets the time (ms since the epoch) the stop reached it.
process.on('SIGINT', () => {
  if (process.env.STANDIN_SIGNAL_FILE) writeFileSync(process.env.STANDIN_SIGNAL_FILE, String(Date.now()));
  process.exit(130);
});
process.on('SIGTERM', () => process.exit(143));
if (process.env.STANDIN_PID_FILE) writeFileSync(process.env.STANDIN_PID_FILE, String(process.pid));
if (process.env.STANDIN_ENV_FILE) writeFileSync(process.env.STANDIN_ENV_FILE, JSON.stringify(process.env));

out({ type: 'system', subtype: 'init', cwd: process.cwd(), session_id: 'standin-1', model: 'stand-in', tools: ['Bash', 'Edit'], permissionMode: 'default' });

const queue = [];
let running = false;
let ended = false;
let turns = 0;
let answer;

async function turn(text) {
  turns++;
  const work = /^work (\d+)$/.exec(text);
  if (work) {
    for (let k = 1; k <= Number(work[1]); k++) {
      await new Promise((resolve) => setTimeout(resolve, tickMs));
      say(`tick ${k}`, `msg_${turns}_${k}`);
      if (process.env.STANDIN_TICK_FILE) appendFileSync(process.env.STANDIN_TICK_FILE, `${Date.now()}\n`);
    }
  } else if (text === 'ask') {
    const request = JSON.parse(readFileSync(process.env.STANDIN_REQUEST, 'utf8').trim().split('\n')[0]);
    const got = new Promise((resolve) => (answer = { id: request.request_id, resolve }));
    out(request);
    const response = await got;
    say(response.behavior === 'allow' ? 'allow' : `deny: ${response.message ?? ''}`, `msg_${turns}_answer`);
  } else {
    say(`echo: ${text}`, `msg_${turns}_echo`);
  }
  out({ type: 'result', subtype: 'success', is_error: false, duration_ms: 10, num_turns: turns, result: `turn ${turns} done`, session_id: 'standin-1', total_cost_usd: 0, usage: { input_tokens: 1, output_tokens: 1 } });
}

async function pump() {
  if (running) return;
  running = true;
  while (queue.length > 0) await turn(queue.shift());
  running = false;
  if (ended) process.exit(0);
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line);
  if (message.type === 'user') {
    const content = message.message?.content;
    queue.push(Array.isArray(content) ? content.map((c) => c.text ?? '').join('') : String(content ?? ''));
    void pump();
  } else if (message.type === 'control_response' && answer && message.response?.request_id === answer.id) {
    answer.resolve(message.response.response);
    answer = undefined;
  }
}).on('close', () => {
  ended = true;
  if (!running) process.exit(0);
});
