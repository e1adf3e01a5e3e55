// Records what the pinned real CLIs print and write for one scripted session each, into
// test/fixtures/agents/real/, for the unit tests of the bridges (`npx tsx test/agents/record.ts`,
// again whenever a pin changes). The model is test/support/modelServer.ts; the folders are made
// neutral (/home/demo, /work/demo) and the vendors' long instruction texts are left out.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureAgents, type AgentName } from '../../scripts/agents';
import { ModelServer, type Conversation } from '../support/modelServer';
import { agentCommand } from './support';

const OUT = path.resolve(__dirname, '../fixtures/agents/real');

async function files(dir: string, test: (f: string) => boolean): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).filter(test);
}

/** Neutral paths, and no long instruction texts of the vendors (their prompts are not ours to copy). */
function clean(text: string, home: string, workspace: string): string {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const json = JSON.parse(line) as Record<string, unknown>;
      const neutral = (s: string) => s.replaceAll(workspace, '/work/demo').replaceAll(home, '/home/demo').replaceAll(path.basename(workspace).toLowerCase(), 'demo');
      const walk = (v: unknown, key = ''): unknown => {
        if (typeof v === 'string') {
          const s = neutral(v);
          return s.length > 2000 && /instructions|text|content/.test(key) ? `${s.slice(0, 200)}… (left out: ${s.length} characters)` : s;
        }
        if (Array.isArray(v)) return v.map((x) => walk(x, key));
        if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [neutral(k), walk(x, k)]));
        return v;
      };
      return JSON.stringify(walk(json));
    })
    .join('\n');
}

async function record(agent: AgentName, conversations: Conversation[], prompt: string, extra: string[], modelName?: string): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), `record-${agent}-`));
  const p = { home: path.join(root, 'home'), workspace: path.join(root, 'workspace') };
  mkdirSync(p.home, { recursive: true });
  mkdirSync(p.workspace, { recursive: true });
  writeFileSync(path.join(p.workspace, 'old.txt'), 'one\n');
  writeFileSync(path.join(p.workspace, 'gone.txt'), 'bye\n');
  const fill = (v: unknown): unknown => (typeof v === 'string' ? v.replace('WORKSPACE', p.workspace) : Array.isArray(v) ? v.map(fill) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)])) : v);
  const server = new ModelServer(fill(conversations) as Conversation[], modelName);
  const url = await server.start();
  const { argv, env } = agentCommand(agent, p, url, prompt, extra, modelName);
  const child = spawn(argv[0]!, argv.slice(1), { cwd: p.workspace, env: { PATH: process.env.PATH, HOME: p.home, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  await server.close();
  const version = ensureAgents()[agent].version;
  writeFileSync(path.join(OUT, `${agent}-${version}-stream.jsonl`), `${clean(out, p.home, p.workspace)}\n`);
  const own = agent === 'claude' ? await files(path.join(p.home, '.claude/projects'), (f) => f.endsWith('.jsonl') && !f.includes('subagents')) : agent === 'codex' ? await files(path.join(p.home, '.codex/sessions'), (f) => f.endsWith('.jsonl')) : await files(path.join(p.home, '.gemini/tmp'), (f) => /\/chats\/session-.*\.jsonl$/.test(f));
  writeFileSync(path.join(OUT, `${agent}-${version}-${agent === 'claude' ? 'transcript' : agent === 'codex' ? 'rollout' : 'session'}.jsonl`), `${clean(readFileSync(own[0]!, 'utf8'), p.home, p.workspace)}\n`);
  console.log(`${agent} ${version}: recorded`);
}

async function main(): Promise<void> {
  ensureAgents();
  mkdirSync(OUT, { recursive: true });
  await record(
    'claude',
    [
      {
        match: 'REC-MAIN',
        turns: [
          { thinking: 'Notes first.', text: 'Writing the notes.', tools: [{ name: 'Write', input: { file_path: 'WORKSPACE/notes.txt', content: 'one\n' } }], usage: { input: 1000, output: 40 } },
          { tools: [{ name: 'Edit', input: { file_path: 'WORKSPACE/notes.txt', old_string: 'one', new_string: 'two', replace_all: false } }], usage: { input: 1100, output: 30 } },
          { tools: [{ name: 'Bash', input: { command: 'ls missing-file', description: 'A command that fails' } }], usage: { input: 1200, output: 20 } },
          { tools: [{ name: 'Bash', input: { command: 'echo passing', description: 'A command that passes' } }], usage: { input: 1300, output: 20 } },
          { tools: [{ name: 'Task', input: { description: 'Sub work', prompt: 'REC-SUB write sub.txt', subagent_type: 'general-purpose' } }], usage: { input: 1400, output: 30 } },
          { text: 'All done.', usage: { input: 1500, output: 10 } },
        ],
      },
      { match: 'REC-SUB', turns: [{ tools: [{ name: 'Bash', input: { command: 'echo from-sub > sub.txt', description: 'Sub work' } }], usage: { input: 500, output: 10 } }, { text: 'Sub work done.', usage: { input: 600, output: 10 } }] },
    ],
    'REC-MAIN do the work',
    ['--allowedTools', 'Bash', 'Write', 'Edit', 'Task'],
  );
  await record(
    'codex',
    [
      {
        match: 'RECORD',
        turns: [
          { thinking: 'Patch first.', tools: [{ name: 'apply_patch', input: { text: '*** Begin Patch\n*** Add File: new.txt\n+hello\n*** Update File: old.txt\n@@\n-one\n+uno\n*** Delete File: gone.txt\n*** End Patch\n' }, custom: true }], usage: { input: 1000, output: 40 } },
          { tools: [{ name: 'exec_command', input: { cmd: 'ls missing-file' } }], usage: { input: 1100, output: 20 } },
          { tools: [{ name: 'exec_command', input: { cmd: 'echo passing' } }], usage: { input: 1200, output: 20 } },
          { text: 'Patched and checked.', usage: { input: 1300, output: 15 } },
        ],
      },
    ],
    'RECORD patch it',
    [],
    'gpt-5.5',
  );
  await record(
    'gemini',
    [
      {
        match: 'RECORD',
        turns: [
          { text: 'Writing the notes.', tools: [{ name: 'write_file', input: { file_path: 'WORKSPACE/notes.txt', content: 'one\n' } }], usage: { input: 1000, output: 40 } },
          { tools: [{ name: 'replace', input: { file_path: 'WORKSPACE/notes.txt', old_string: 'one', new_string: 'two', instruction: 'Say two' } }], usage: { input: 1100, output: 30 } },
          { tools: [{ name: 'run_shell_command', input: { command: 'ls missing-file', description: 'A command that fails' } }], usage: { input: 1200, output: 20 } },
          { tools: [{ name: 'run_shell_command', input: { command: 'echo passing', description: 'A command that passes' } }], usage: { input: 1300, output: 20 } },
          { text: 'All done.', usage: { input: 1400, output: 10 } },
        ],
      },
    ],
    'RECORD do the work',
    [],
    'gemini-scripted',
  );
}

void main();
