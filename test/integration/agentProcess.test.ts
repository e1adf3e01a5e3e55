// The agent's processes under steering, with real processes: pause stops the agent and what it
// started (state T in /proc), resume lets them go on, and stop escalates SIGINT → SIGTERM → SIGKILL
// for an agent that ignores the gentler signals.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { AgentProcess, processTree } from '../../src/worker/agentProcess';
import { until } from '../support/wait';

const state = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0]!;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the agent process: pause, resume and stop over its process tree', function () {
  this.timeout(30_000);
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });

  const agent = (script: string) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    return child;
  };

  it('pause stops the agent and the command it started; resume lets both go on; stop ends both', async () => {
    const child = agent("const c = require('child_process').spawn('sleep', ['30'], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000);");
    const grandchild = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    assert.deepEqual(processTree(child.pid!).sort(), [child.pid!, grandchild].sort());
    const p = new AgentProcess(child, { graceMs: 500 });
    assert.deepEqual(p.pause(), { ok: true });
    await until('both stopped', () => state(child.pid!) === 'T' && state(grandchild) === 'T');
    assert.deepEqual(p.pause(), { ok: false, outcome: 'refused', reason: 'the agent is already paused' });
    assert.deepEqual(p.resume(), { ok: true });
    await until('both running', () => state(child.pid!) !== 'T' && state(grandchild) !== 'T');
    assert.equal(await p.stop(), 'SIGINT');
    await until('the command it started is gone too', () => !alive(grandchild) || state(grandchild) === 'Z');
  });

  it('stop escalates: SIGTERM for an agent that ignores SIGINT, SIGKILL for one that ignores both', async () => {
    const stubborn = new AgentProcess(agent("process.on('SIGINT', () => {}); setInterval(() => {}, 1000);"), { graceMs: 300 });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await stubborn.stop(), 'SIGTERM');
    const deaf = new AgentProcess(agent("process.on('SIGINT', () => {}); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);"), { graceMs: 300 });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await deaf.stop(), 'SIGKILL');
    assert.equal(deaf.running, false);
  });

  it('a paused agent is resumed before it is stopped (a stopped process handles no signal)', async () => {
    const child = agent('setInterval(() => {}, 1000);');
    const p = new AgentProcess(child, { graceMs: 300 });
    await new Promise((r) => setTimeout(r, 200));
    p.pause();
    await until('stopped', () => state(child.pid!) === 'T');
    assert.equal(await p.stop(), 'SIGINT');
    assert.equal(p.paused, false);
  });
});
