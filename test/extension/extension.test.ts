// Inside a real VS Code extension host (code-server), against the real `vscode` API, the installed
// Agent Session Stream extension and the local stack (behind the runner's fault proxy).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import * as vscode from 'vscode';
import { parseEnvFile } from '../../src/core/envFile';
import { createSupabaseClient } from '../../src/core/supabaseClient';
import type { ExtensionApi } from '../../src/extension';
import { healthSnapshot } from '../../src/host/healthPanel';
import { SessionLifecycleManager } from '../../src/worker/sessionLifecycleManager';
import { until } from '../support/wait';

const ID = 'agent-session-stream.agent-session-stream';


const control = (action: 'cut' | 'restore') => fetch(`${process.env.SESSION_STREAM_TEST_CONTROL}/${action}`, { method: 'POST' });
const tabLabels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));

export function defineSuites(): void {
  describe('Agent Session Stream in a real VS Code extension host', function () {
    this.timeout(60_000);
    let api: ExtensionApi;
    let worker: SessionLifecycleManager;
    let session: string;
    const env = parseEnvFile(readFileSync(process.env.SESSION_STREAM_ENV_FILE!, 'utf8'));

    before(async () => {
      const ext = vscode.extensions.getExtension<ExtensionApi>(ID);
      assert.ok(ext, 'the extension is installed');
      api = await ext.activate();
      await until('sign-in', () => api.auth.state.kind === 'signedIn');
      // The worker talks to the stack directly; only the extension goes through the fault proxy.
      worker = new SessionLifecycleManager(createSupabaseClient(process.env.SESSION_STREAM_TEST_WORKER_URL!, env.SERVICE_ROLE_KEY!));
      const state = api.auth.state as { userId: string };
      session = (await worker.createSession(state.userId, 'Extension-host session')).id;
    });

    after(async () => {
      await control('restore');
      worker.dispose();
    });

    it('activates and registers every contributed command', async () => {
      const ext = vscode.extensions.getExtension(ID)!;
      assert.equal(ext.isActive, true);
      const contributed = (ext.packageJSON.contributes.commands as Array<{ command: string }>).map((c) => c.command);
      const registered = new Set(await vscode.commands.getCommands(true));
      assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
    });

    it('reads its settings: the local stack it was pointed at, and the defaults', () => {
      const c = vscode.workspace.getConfiguration('sessionStream');
      assert.equal(c.get('supabaseUrl'), env.API_URL);
      assert.equal(c.get('reconnect.maxAttempts'), 10);
      assert.equal(c.get('openFilesOnChange'), 'preview');
    });

    it('is signed in to the stack and lists the user’s sessions, live', async () => {
      await until('the new session in the Sessions view', () => api.sessions.find(session));
      assert.equal(api.sessions.find(session)!.state, 'pending');
      await worker.transition(session, 'running', 'extension test');
      await until('the state change', () => api.sessions.find(session)?.state === 'running');
    });

    it('watching a session: the status bar shows the session, then "Reconnecting in N s (n/10)" through a cut, then the session again', async () => {
      await vscode.commands.executeCommand('sessionStream.selectSession', session);
      const joined = await until('joined', () => (api.watcher.indicator.shown.text.includes('Extension-host session') ? api.watcher.indicator.shown : undefined));
      assert.equal(joined.command, 'sessionStream.sessionMenu', 'a click on a running session opens its menu (timeline first, then steering)');
      await control('cut');
      const reconnecting = await until('reconnecting', () => (/^\$\(warning\) Reconnecting in \d+ s \(\d+\/10\)$/.test(api.watcher.indicator.shown.text) ? api.watcher.indicator.shown : undefined));
      assert.equal(reconnecting.background, 'statusBarItem.warningBackground');
      assert.equal(reconnecting.command, 'sessionStream.reconnect');
      await control('restore');
      await until('joined again', () => api.watcher.indicator.shown.text.includes('Extension-host session'), 40_000);
    });

    it('steering: a pause from VS Code says "Pausing…" until the worker handles it; a waiting session says "needs you" everywhere', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const kinds: string[] = [];
      const receiver = worker.onCommand(session, async (c) => {
        kinds.push(c.kind);
        await gate;
        return { outcome: 'done', reason: 'Paused by the extension test', state: 'paused' };
      });
      try {
        await until('the worker listens', () => receiver.connection.state.state === 'joined');
        await api.control.run('pause', api.sessions.find(session)!);
        await until('"Pausing…" in the status bar', () => api.watcher.indicator.shown.text.endsWith('· Pausing…'));
        assert.equal(api.sessions.statusOf(api.sessions.find(session)!).pending, 'Pausing…');
        // One status, everywhere: the Sessions view row says it too, with the watched marker.
        assert.match(String(api.tree.getTreeItem(api.sessions.find(session)!).description), /^Pausing… · .* · watching$/);
        release();
        await until('paused', () => api.watcher.indicator.shown.text.endsWith('· paused'));
        assert.equal(api.sessions.statusOf(api.sessions.find(session)!).pending, undefined);
        assert.deepEqual(kinds, ['pause'], 'handled once');
        await worker.transition(session, 'running', 'resumed by the test');
        await worker.setWaiting(session, [{ id: 'req-ext', kind: 'approval', tool: 'Bash', title: 'Bash: rm -rf build', at: new Date().toISOString() }], 'the agent asks');
        const waiting = await until('needs you', () => (api.watcher.indicator.shown.text.includes('needs you') ? api.watcher.indicator.shown : undefined));
        assert.equal(waiting.background, 'statusBarItem.warningBackground');
        const item = api.tree.getTreeItem(api.sessions.find(session)!);
        assert.match(String(item.description), /^needs you · /);
        assert.match(String(item.contextValue), /\bcanApprove\b.*\bcanDeny\b/);
        await worker.setWaiting(session, [], 'answered by the test');
        await until('running again', () => api.sessions.find(session)?.state === 'running');
      } finally {
        await receiver.dispose();
      }
    });

    it('an event emitted as the worker comes back through the stream', async () => {
      const outcome = await worker.emitEvent(session, 'thinking', { iteration: 7, toolsUsed: ['bash'] });
      assert.equal(outcome.status, 'stored');
      const lease = api.streams.acquire(session);
      try {
        await until('the event in the log', () => lease.stream.log.has((outcome as { event: { id: string } }).event.id));
      } finally {
        lease.dispose();
      }
    });

    it('FILE_CHANGE opens the workspace file as a preview; a path outside the folder is refused', async () => {
      await worker.emitEvent(session, 'file_change', { path: 'src/app.ts', action: 'write' });
      await until('app.ts open', () => tabLabels().includes('app.ts'));
      await worker.emitEvent(session, 'file_change', { path: '../outside.txt', action: 'write' });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(tabLabels().includes('outside.txt'), false);
    });

    it('Open Timeline opens a webview panel titled with the session', async () => {
      await vscode.commands.executeCommand('sessionStream.openTimeline', session);
      const tab = await until('the timeline tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Extension-host session'));
      assert.ok(tab);
    });

    it('Run Agent…: the picked agent runs in a terminal under session-stream run, its session streams as the user, and its timeline opens', async () => {
      // A stand-in for Claude Code on PATH that prints a recorded stream-json run (the real CLIs are
      // the agents tier's; this is about VS Code starting the run).
      const bin = mkdtempSync(path.join(os.tmpdir(), 'run-agent-bin-'));
      const recording = path.join(process.env.SESSION_STREAM_TEST_FIXTURES!, 'agents/claude/stream-2.1.7-basic.jsonl');
      writeFileSync(path.join(bin, 'claude'), `#!/usr/bin/env node\nprocess.stdout.write(require('fs').readFileSync(${JSON.stringify(recording)}, 'utf8'));\n`, { mode: 0o755 });
      const [email, password] = process.env.SESSION_STREAM_AUTOCONNECT!.split(':');
      const saved = { PATH: process.env.PATH, SESSION_STREAM_EMAIL: process.env.SESSION_STREAM_EMAIL, SESSION_STREAM_PASSWORD: process.env.SESSION_STREAM_PASSWORD };
      Object.assign(process.env, { PATH: `${bin}${path.delimiter}${process.env.PATH}`, SESSION_STREAM_EMAIL: email, SESSION_STREAM_PASSWORD: password });
      try {
        const task = `answer ${Date.now()}`;
        await vscode.commands.executeCommand('sessionStream.runAgent', { agent: 'claude', task });
        const terminal = await until('the run terminal', () => vscode.window.terminals.find((t) => t.name === `Claude Code: ${task}`));
        assert.ok(terminal);
        const started = await until('the run', () => api.runs.all.find((r) => r.task === task));
        const sessionId = await until('its session id', () => started.sessionId ?? (started.exitCode !== undefined ? `ended (${started.exitCode}) without a session:\n${started.output}` : undefined), 40_000);
        assert.match(sessionId, /^[0-9a-f-]{36}$/, sessionId);
        const run = await until('the run as a session of the user', () => api.sessions.find(sessionId), 20_000);
        assert.equal(run.title, `Claude Code: ${task}`);
        assert.equal(run.source, 'claude');
        await until('the run completed', () => api.sessions.find(run.id)?.state === 'completed', 40_000);
        await until('the run ended with 0', () => started.exitCode === 0 || (started.exitCode !== undefined && assert.fail(started.output)));
        const events = await worker.getEventHistory(run.id);
        assert.ok(events.some((e) => e.type === 'completion'), 'its events were stored');
        await until('its timeline tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === `Claude Code: ${task}`));
        terminal.dispose();
      } finally {
        Object.assign(process.env, saved);
        for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
        rmSync(bin, { recursive: true, force: true });
      }
    });

    it('Show Health opens its panel; a snapshot has the watched session, the server figures, this window’s latencies and the cut', async () => {
      await vscode.commands.executeCommand('sessionStream.showHealth');
      await until('the health tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Session Stream Health'));
      const snap = await healthSnapshot({ auth: api.auth, streams: api.streams, title: (id) => api.sessions.find(id)?.title ?? id });
      const watched = snap.subscriptions.find((s) => s.sessionId === session);
      assert.equal(watched?.title, 'Extension-host session');
      assert.equal(watched?.state, 'joined');
      assert.ok(watched.viewers.length >= 1, 'this window is among the viewers (presence)');
      assert.ok(!('error' in snap.server), JSON.stringify(snap.server));
      assert.ok(snap.server.latency.some((l) => l.eventType === 'thinking' && l.eventCount >= 1), 'the worker’s thinking event is counted');
      assert.ok(snap.latency.samples >= 1 && snap.latency.p50 !== undefined, 'live events were measured');
      assert.ok(snap.history.some((c) => c.sessionId === session && c.state === 'reconnecting'), 'the cut is in the connection history');
      assert.ok((snap.gateway?.connections ?? 0) >= 1, 'the local gateway’s counters');
    });

    it('a new anon key for the same project: the sign-in moves to a new client, and the Sessions list and the watched session follow it', async () => {
      const settings = vscode.workspace.getConfiguration('sessionStream');
      const original = settings.inspect<string>('supabaseAnonKey')?.globalValue;
      const before = api.auth.signedInClient();
      // Another valid anon key of the same project (as after a key rotation).
      const key = await new SignJWT({ role: 'anon', iss: 'rotated' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().setExpirationTime('1d').sign(new TextEncoder().encode(env.JWT_SECRET!));
      await settings.update('supabaseAnonKey', key, vscode.ConfigurationTarget.Global);
      try {
        await until('signed in on a new client', () => api.auth.state.kind === 'signedIn' && api.auth.signedInClientOrUndefined() !== before);
        const userId = (api.auth.state as { userId: string }).userId;
        const added = (await worker.createSession(userId, 'After the key change')).id;
        await until('a session created after the change, live in the list', () => api.sessions.find(added));
        const outcome = await worker.emitEvent(session, 'thinking', { iteration: 8, toolsUsed: [] });
        assert.equal(outcome.status, 'stored');
        const lease = api.streams.acquire(session);
        try {
          await until('the event through the watched session’s stream', () => lease.stream.log.has((outcome as { event: { id: string } }).event.id));
          // The event can arrive through the join's catch-up read before the join's reply: wait for the reply.
          await until('the watched session’s stream joined', () => lease.stream.state.state === 'joined');
          // Nothing stays on the old client: its token is no longer refreshed, so a channel left
          // there would fail when that token expires.
          const topics = (c: { getChannels(): Array<{ topic: string }> }) => c.getChannels().map((ch) => ch.topic);
          await until('every channel on the new client', () => topics(before).length === 0 && topics(api.auth.signedInClient()).includes(`realtime:session:${session}`));
          assert.ok(topics(api.auth.signedInClient()).some((t) => t.startsWith('realtime:sessions:')), 'the Sessions list’s channel is on the new client');
        } finally {
          lease.dispose();
        }
      } finally {
        await settings.update('supabaseAnonKey', original, vscode.ConfigurationTarget.Global);
      }
    });
  });
}
