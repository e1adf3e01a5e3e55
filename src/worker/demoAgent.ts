// A scripted, realistic agent session (docs/architecture.md, contract 4): state transitions, THINKING steps with tools,
// TERMINAL commands with coloured output (one failing), real file writes and a delete inside the
// demo workspace, a FILES_CHANGED batch, and COMPLETION with stats — or ERROR with `fail`.
// Shared by `npm run demo`, `npm start` and the extension's "Run Demo Session".
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { delay, systemClock, type Clock } from '../core/clock';
import type { EventDataInput, SessionEventType, SessionStats } from '../shared/events';
import type { CommandHandler } from './commandReceiver';
import type { EmitOutcome, SessionLifecycleManager } from './sessionLifecycleManager';

export interface DemoOptions {
  manager: SessionLifecycleManager;
  sessionId: string;
  /** Folder the agent writes into; FILE_CHANGE paths are relative to it. */
  workspace: string;
  /** 1 = a step every ~0.8 s; 10 = ten times faster. */
  speed?: number;
  /** End in ERROR (and state failed) instead of COMPLETION. */
  fail?: boolean;
  clock?: Clock;
  onStep?: (type: SessionEventType, outcome: EmitOutcome) => void;
  /** Stops the agent before its next step (SIGTERM): nothing more is emitted. */
  signal?: AbortSignal;
  /** Take stop, pause, resume and messages from VS Code and the command line (default true). */
  steerable?: boolean;
}

class DemoStopped extends Error {}

/** The demo's answer to steering: it stops or pauses between steps, and notes messages. */
function demoSteering(options: DemoOptions) {
  let stopReason: string | undefined;
  let resume: (() => void) | undefined;
  let gate: Promise<void> = Promise.resolve();
  const handler: CommandHandler = (c) => {
    const by = c.createdByName || 'someone';
    switch (c.kind) {
      case 'stop':
        stopReason = `Stopped by ${by}`;
        resume?.();
        return { outcome: 'done', reason: stopReason, note: false };
      case 'pause':
        if (resume) return { outcome: 'refused', reason: 'the demo agent is already paused' };
        gate = new Promise((resolve) => (resume = resolve));
        return { outcome: 'done', reason: `Paused by ${by}`, state: 'paused' };
      case 'resume':
        if (!resume) return { outcome: 'refused', reason: 'the demo agent is not paused' };
        resume();
        resume = undefined;
        return { outcome: 'done', reason: `Resumed by ${by}`, state: 'running' };
      case 'message':
        return { outcome: 'done', reason: `Message from ${by}: ${(c.body ?? '').slice(0, 2000)} (the demo agent reads it, and goes on with its script)` };
      default:
        return { outcome: 'refused', reason: 'the demo agent asked nothing' };
    }
  };
  const receiver = options.steerable === false ? undefined : options.manager.onCommand(options.sessionId, handler);
  return {
    /** Before each step: waits while paused; throws once stopped. */
    async checkpoint(): Promise<void> {
      await gate;
      if (stopReason) throw new DemoStopped(stopReason);
    },
    dispose: () => receiver?.dispose(),
  };
}

const GREEN = '\u001b[32m';
const RED = '\u001b[31m';
const DIM = '\u001b[2m';
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

const FILES = {
  greeting: `export function greet(name: string): string {\n  return \`Hello, \${name}!\`;\n}\n`,
  greetingBuggy: `export function greet(name: string): string {\n  return 'Hello, ' + name;\n}\n`,
  test: `import { greet } from './greeting';\n\nif (greet('Ada') !== 'Hello, Ada!') throw new Error('greet is wrong');\nconsole.log('✔ greet says hello');\n`,
  format: `/** "Ada, Grace and Linus" */\nexport function listNames(names: string[]): string {\n  if (names.length < 2) return names.join('');\n  return \`\${names.slice(0, -1).join(', ')} and \${names.at(-1)}\`;\n}\n`,
  formatTest: `import { listNames } from './format';\n\nif (listNames(['Ada', 'Grace', 'Linus']) !== 'Ada, Grace and Linus') throw new Error('listNames is wrong');\nconsole.log('✔ listNames joins names');\n`,
  index: `import { listNames } from './format';\nimport { greet } from './greeting';\n\nconsole.log(greet(listNames(process.argv.slice(2))));\n`,
  old: `// Superseded by greeting.ts\nexport const hello = (n: string) => 'hi ' + n;\n`,
  readme: `# Demo workspace\n\nWritten by the Agent Session Stream demo agent.\n\n\`\`\`sh\nnpx tsx src/index.ts Ada Grace\n\`\`\`\n`,
};

/**
 * About 25 steps (≈ 20 s at speed 1): every event type, a test that fails and then passes, five
 * files written, one deleted, a batch of two.
 */
export async function runDemo(options: DemoOptions): Promise<SessionStats> {
  const steering = demoSteering(options);
  try {
    return await script(options, steering.checkpoint);
  } catch (error) {
    if (!(error instanceof DemoStopped)) throw error;
    await options.manager.transition(options.sessionId, 'cancelled', error.message);
    return { iterations: 0, inputTokens: 0, outputTokens: 0, toolCalls: 0 };
  } finally {
    await steering.dispose();
  }
}

async function script(options: DemoOptions, checkpoint: () => Promise<void>): Promise<SessionStats> {
  const { manager, sessionId, workspace } = options;
  const clock = options.clock ?? systemClock;
  const step = 800 / Math.max(0.001, options.speed ?? 1);
  const stats: SessionStats = { iterations: 0, inputTokens: 0, outputTokens: 0, toolCalls: 0 };
  const emit = async <T extends SessionEventType>(type: T, data: EventDataInput[T]) => {
    if (options.signal?.aborted) throw new Error('The demo was stopped.');
    await checkpoint();
    const outcome = await manager.emitEvent(sessionId, type, data);
    options.onStep?.(type, outcome);
    // An event that will never be stored stops the agent: nothing is reported past a gap.
    if (outcome.status === 'failed') throw new Error(`The demo stopped: ${outcome.error}`);
    await delay(clock, step);
    return outcome;
  };
  const think = (tools: string[]) => {
    stats.iterations++;
    stats.toolCalls += tools.length;
    stats.inputTokens += 2400 + tools.length * 310;
    stats.outputTokens += 520 + tools.length * 95;
    return emit('thinking', { iteration: stats.iterations, toolsUsed: tools });
  };
  const write = async (relative: string, content: string) => {
    const file = path.join(workspace, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    return emit('file_change', { path: relative, action: 'write' });
  };
  const run = (command: string, output: string, exitCode = 0, error = '') => emit('terminal', { command, output, error, exitCode });

  await mkdir(path.join(workspace, 'src'), { recursive: true });
  await writeFile(path.join(workspace, 'src/old.ts'), FILES.old);

  const start = await manager.transition(sessionId, 'running', 'Agent picked up the task: a greeting module with tests and a command-line entry');
  options.onStep?.('state_changed', start);
  await delay(clock, step);
  await think(['list_dir', 'read_file']);
  await run('ls -la src', `total 4\n-rw-r--r-- 1 agent agent 96 ${BOLD}old.ts${RESET}\n`);
  await run('cat src/old.ts', FILES.old);
  await think(['write_file']);
  await write('src/greeting.ts', FILES.greetingBuggy);
  await write('src/greeting.test.ts', FILES.test);
  await think(['bash']);
  await run('npx tsx src/greeting.test.ts', `${DIM}running 1 check${RESET}\n`, 1, `${RED}Error: greet is wrong${RESET}\n    at src/greeting.test.ts:3:42\n`);
  if (options.fail) {
    await think(['read_file']);
    await manager.failSession(sessionId, 'The greeting test still fails: expected "Hello, Ada!".', stats);
    return stats;
  }
  await think(['read_file', 'edit_file']);
  await write('src/greeting.ts', FILES.greeting);
  await run('npx tsx src/greeting.test.ts', `${GREEN}✔ greet says hello${RESET}\n${GREEN}1 passing${RESET}\n`);
  await think(['write_file', 'write_file']);
  await write('src/format.ts', FILES.format);
  await write('src/format.test.ts', FILES.formatTest);
  await run('npx tsx src/format.test.ts', `${GREEN}✔ listNames joins names${RESET}\n${GREEN}1 passing${RESET}\n`);
  await think(['write_file']);
  await write('src/index.ts', FILES.index);
  await run('npx tsx src/index.ts Ada Grace Linus', 'Hello, Ada, Grace and Linus!\n');
  await think(['delete_file']);
  await rm(path.join(workspace, 'src/old.ts'), { force: true });
  await emit('file_change', { path: 'src/old.ts', action: 'delete' });
  await think(['write_file', 'write_file']);
  await writeFile(path.join(workspace, 'README.md'), FILES.readme);
  await writeFile(path.join(workspace, 'package.json'), `${JSON.stringify({ name: 'demo-workspace', private: true, scripts: { test: 'tsx src/greeting.test.ts && tsx src/format.test.ts' } }, null, 2)}\n`);
  await emit('files_changed', { files: [{ path: 'README.md', action: 'write' }, { path: 'package.json', action: 'write' }] });
  await run('git status --short', `${RED} D${RESET} src/old.ts\n${GREEN}??${RESET} README.md\n${GREEN}??${RESET} package.json\n${GREEN}??${RESET} src/format.test.ts\n${GREEN}??${RESET} src/format.ts\n${GREEN}??${RESET} src/greeting.test.ts\n${GREEN}??${RESET} src/greeting.ts\n${GREEN}??${RESET} src/index.ts\n`);
  await manager.completeSession(sessionId, stats, 'Added greet() and listNames() with passing tests, a command-line entry and a README; removed the old helper.');
  return stats;
}
