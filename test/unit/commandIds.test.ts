import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMAND_IDS, commandName, commandRef, commandUri, STEERING_COMMAND_IDS, type CommandId } from '../../src/host/commandIds';
import { COMMAND_KINDS } from '../../src/shared/commands';

const ROOT = path.resolve(__dirname, '../..');

interface Manifest {
  activationEvents?: string[];
  contributes: {
    commands: Array<{ command: string }>;
    menus?: Record<string, Array<{ command?: string; alt?: string }>>;
    keybindings?: Array<{ command: string }>;
    views?: Record<string, Array<{ id: string }>>;
    viewsWelcome?: Array<{ contents: string }>;
  };
}

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const known = new Set<string>(COMMAND_IDS);
const viewIds = Object.values(manifest.contributes.views ?? {}).flatMap((views) => views.map((v) => v.id));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('the command ids', () => {
  it('are the commands package.json contributes, each once', () => {
    assert.equal(known.size, COMMAND_IDS.length, 'no id twice in COMMAND_IDS');
    const declared = manifest.contributes.commands.map((c) => c.command);
    assert.equal(new Set(declared).size, declared.length, 'no command declared twice in package.json');
    assert.deepEqual([...declared].sort(), [...COMMAND_IDS].sort());
  });

  it('are the only ones package.json menus, keybindings, activation events and welcome links name', () => {
    const named: Array<[string, string]> = [];
    for (const [menu, items] of Object.entries(manifest.contributes.menus ?? {})) {
      for (const item of items) for (const id of [item.command, item.alt]) if (id) named.push([`menus.${menu}`, id]);
    }
    for (const k of manifest.contributes.keybindings ?? []) named.push(['keybindings', k.command]);
    for (const event of manifest.activationEvents ?? []) if (event.startsWith('onCommand:')) named.push(['activationEvents', event.slice('onCommand:'.length)]);
    for (const w of manifest.contributes.viewsWelcome ?? []) for (const m of w.contents.matchAll(/\(command:([\w.]+)/g)) named.push(['viewsWelcome', m[1]!]);
    assert.ok(named.some(([where]) => where === 'viewsWelcome'), 'the welcome links are read');
    assert.deepEqual(named.filter(([, id]) => !known.has(id)), [], 'every id named in package.json is a command of COMMAND_IDS');
  });

  it('name a steering command for every kind of command sent to an agent', () => {
    assert.deepEqual(Object.keys(STEERING_COMMAND_IDS).sort(), [...COMMAND_KINDS].sort());
    for (const id of Object.values(STEERING_COMMAND_IDS)) assert.ok(known.has(id), id);
    assert.equal(STEERING_COMMAND_IDS.message, 'sessionStream.sendMessage');
  });

  it('build command objects, links and log names', () => {
    assert.deepEqual(commandRef('sessionStream.openTimeline', 'Open Timeline', 'abc'), { command: 'sessionStream.openTimeline', title: 'Open Timeline', arguments: ['abc'] });
    assert.deepEqual(commandRef('sessionStream.reconnect', 'Reconnect'), { command: 'sessionStream.reconnect', title: 'Reconnect' });
    assert.equal(commandUri('sessionStream.selectSession'), 'command:sessionStream.selectSession');
    assert.equal(commandName('sessionStream.signIn'), 'signIn');
    // @ts-expect-error a typo in a command id does not compile
    const typo: CommandId = 'sessionStream.openTimline';
    assert.ok(!known.has(typo));
  });

  it('reach vscode.commands only through commandApi.ts (typed), never as a raw string', () => {
    const raw: string[] = [];
    for (const file of [...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'webview'))]) {
      const rel = path.relative(ROOT, file);
      if (rel === path.join('src', 'host', 'commandApi.ts') || rel === path.join('src', 'host', 'commandIds.ts')) continue;
      const text = readFileSync(file, 'utf8');
      if (/vscode\.commands\.registerCommand\(/.test(text)) raw.push(`${rel}: vscode.commands.registerCommand`);
      for (const m of text.matchAll(/vscode\.commands\.executeCommand\(\s*(['"`])(sessionStream\.[^'"`]*)/g)) {
        // The focus command VS Code makes for each of our views is VS Code's, not ours.
        if (m[1] === '`' || !viewIds.some((view) => m[2] === `${view}.focus`)) raw.push(`${rel}: executeCommand(${m[2]})`);
      }
      for (const m of text.matchAll(/command:sessionStream\.\w+/g)) raw.push(`${rel}: ${m[0]}`);
    }
    assert.deepEqual(raw, []);
  });
});
