#!/usr/bin/env node
// A stand-in agent for tests and benchmarks: prints a recorded run (a JSONL fixture) line by line
// as the real agent did — with the gaps between the lines' own timestamps when they have them
// (scaled by REPLAY_SPEED, default 1), else REPLAY_GAP_MS apart (default 50) — then exits with
// REPLAY_EXIT (default 0). REPLAY_STDERR is written to stderr first. With REPLAY_WAIT_FOR it prints
// nothing until that file exists (a test lets it go). On SIGINT it exits 130, as agents do when
// stopped.
import { existsSync, readFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
const speed = Number(process.env.REPLAY_SPEED ?? 1);
const gap = Number(process.env.REPLAY_GAP_MS ?? 50);
const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
process.on('SIGINT', () => process.exit(130));
if (process.env.REPLAY_STDERR) process.stderr.write(`${process.env.REPLAY_STDERR}\n`);
while (process.env.REPLAY_WAIT_FOR && !existsSync(process.env.REPLAY_WAIT_FOR)) await new Promise((resolve) => setTimeout(resolve, 20));
const at = (line) => {
  try {
    return Date.parse(JSON.parse(line).timestamp ?? '');
  } catch {
    return Number.NaN;
  }
};
let previous = Number.NaN;
for (const line of lines) {
  const t = at(line);
  const wait = Number.isFinite(t) && Number.isFinite(previous) ? Math.min(5000, Math.max(0, (t - previous) / speed)) : gap;
  previous = t;
  await new Promise((resolve) => setTimeout(resolve, wait));
  process.stdout.write(`${line}\n`);
}
process.exit(Number(process.env.REPLAY_EXIT ?? 0));
