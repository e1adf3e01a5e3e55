import assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/args';
import { choiceOption, defineCommand, helpText, orList, parseCommand, PROGRAM, wholeOption, type CliIo, type CommandSpec } from '../../src/cli/options';
import { COMMANDS, programUsage, runProgram } from '../../src/cli/program';

/** What a call writes through its io, and its exit code. */
async function call(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t) };
  const code = await runProgram(argv, io);
  return { code, out, err };
}

/** What `stack --help` prints: the local stack's own help, written to the process's stdout. */
async function stackHelp(): Promise<string> {
  const write = process.stdout.write;
  let text = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((text += String(chunk)), true)) as typeof process.stdout.write;
  try {
    assert.equal((await call(['stack', '--help'])).code, 0);
  } finally {
    process.stdout.write = write;
  }
  return text;
}

const withTables = COMMANDS.filter((c) => c.spec);

describe('the command line: options declared once, help rendered from them', () => {
  it('every command but stack has an option table, and the usage lists every command', () => {
    assert.deepEqual(COMMANDS.filter((c) => !c.spec).map((c) => c.name), ['stack']);
    assert.equal(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length);
    for (const c of COMMANDS) assert.match(programUsage(), new RegExp(`^  ${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });

  for (const command of withTables) {
    const spec = command.spec!;
    it(`${spec.name}: --help is its table, every option in the usage line and in the list, with its default`, async () => {
      const { code, out } = await call([spec.name, '--help']);
      assert.equal(code, 0);
      assert.equal(out, `${helpText(spec)}\n`);
      assert.equal((await call([spec.name, '-h'])).out, out, '-h is --help');
      const [usage, ...rest] = out.split('\n\n');
      assert.match(usage!, new RegExp(`^Usage: ${PROGRAM} ${spec.name}\\b`));
      const list = rest.join('\n\n');
      for (const [name, o] of Object.entries(spec.options)) {
        assert.match(usage!, new RegExp(`(^|[\\s\\[])--${name}\\b`), `--${name} in the usage line`);
        assert.match(list, new RegExp(`^  --${name}\\b`, 'm'), `--${name} in the option list`);
        const fallback = o.whole?.default ?? (typeof o.default === 'string' ? o.default : undefined);
        if (fallback !== undefined) assert.ok(list.replace(/\s+/g, ' ').includes(`(default ${fallback})`), `--${name}: its default ${fallback}`);
        for (const choice of o.choices ?? []) assert.ok(usage!.includes(choice), `--${name}: ${choice}`);
      }
      if (spec.operands) assert.ok(usage!.includes(spec.operands), spec.operands);
    });

    it(`${spec.name}: the parser takes every option of the table`, () => {
      const args = Object.entries(spec.options).flatMap(([name, o]) => (o.type === 'boolean' ? [`--${name}`] : [`--${name}`, o.choices?.[0] ?? String(o.whole?.min ?? 'x')]));
      const { values } = parseCommand(spec, args);
      for (const [name, o] of Object.entries(spec.options)) {
        const v = (values as Record<string, unknown>)[name];
        assert.deepEqual(v, o.type === 'boolean' ? true : o.multiple ? [args[args.indexOf(`--${name}`) + 1]] : args[args.indexOf(`--${name}`) + 1], `--${name}`);
      }
    });

    it(`${spec.name}: an unknown option is exit 2, named, with where to read the options`, async () => {
      const r = await call([spec.name, '--no-such-option']);
      assert.equal(r.code, 2);
      assert.equal(r.out, '');
      assert.match(r.err, /Unknown option '--no-such-option'/);
      assert.ok(r.err.includes(`Run \`${PROGRAM} ${spec.name} --help\` for the options.`), r.err);
    });
  }

  it('no help text says npm run: the program is session-stream', async () => {
    const texts = [programUsage(), ...withTables.map((c) => helpText(c.spec!)), await stackHelp()];
    for (const text of texts) assert.doesNotMatch(text, /npm run/, text.split('\n')[0]);
    assert.match(texts.at(-1)!, /^Usage: session-stream stack /);
  });

  it('the program: its usage without a command (exit 2) or with --help (exit 0); an unknown command is exit 2', async () => {
    assert.deepEqual(await call([]), { code: 2, out: `${programUsage()}\n`, err: '' });
    assert.deepEqual(await call(['--help']), { code: 0, out: `${programUsage()}\n`, err: '' });
    const unknown = await call(['tial']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /^Unknown command "tial"\.\n\nUsage: session-stream <command>/);
  });

  it('a mistake the command finds is exit 2 with its message and where to read the options', async () => {
    const r = await call(['tail', '--session', 'abc']);
    assert.deepEqual(r, { code: 2, out: '', err: '--session must be a session id (a UUID), got "abc"\nRun `session-stream tail --help` for the options.\n' });
    const value = await call(['export', '--session']);
    assert.equal(value.code, 2);
    assert.match(value.err, /Option '--session <value>' argument missing/);
  });

  describe('the table', () => {
    const SPEC = {
      name: 'try',
      summary: 'a command to try the table on',
      operands: '[FILE]',
      about: 'Tries the table: a long paragraph of prose that is wrapped at the width of a terminal, as every help text is, however it was written.\n  an example, kept as written',
      options: {
        colour: { type: 'string', choices: ['red', 'green'], default: 'red', help: 'the colour' },
        count: { type: 'string', value: 'N', whole: { min: 1, max: 9, default: 3 }, help: 'how many' },
        name: { type: 'string', value: 'NAME', required: true, help: 'who' },
        loud: { type: 'boolean', default: false, help: 'shout' },
      },
    } as const satisfies CommandSpec;

    it('renders the usage line, the prose wrapped, and one row per option with its default', () => {
      const text = helpText(SPEC);
      assert.equal(
        text,
        [
          'Usage: session-stream try [--colour red|green] [--count N] --name NAME [--loud] [FILE]',
          '',
          'Tries the table: a long paragraph of prose that is wrapped at the width of a terminal, as every help',
          'text is, however it was written.',
          '  an example, kept as written',
          '',
          'Options:',
          '  --colour red|green  the colour (default red)',
          '  --count N           how many (default 3)',
          '  --name NAME         who',
          '  --loud              shout',
        ].join('\n'),
      );
    });

    it('checks choices and whole numbers with messages that say what is allowed', () => {
      assert.equal(choiceOption(SPEC, 'colour', 'green'), 'green');
      assert.throws(() => choiceOption(SPEC, 'colour', 'blue'), (e: unknown) => e instanceof UsageError && e.message === '--colour must be red or green, got "blue"');
      assert.equal(wholeOption(SPEC, 'count', undefined), 3);
      assert.equal(wholeOption(SPEC, 'count', '9'), 9);
      assert.throws(() => wholeOption(SPEC, 'count', '10'), (e: unknown) => e instanceof UsageError && e.message === '--count must be a whole number from 1 to 9, got "10"');
      assert.equal(orList(['a', 'b', 'c']), 'a, b or c');
    });

    it('hands the body typed values with the defaults filled in, and prints the help instead for --help', async () => {
      let seen: unknown;
      const command = defineCommand(SPEC, async ({ values, positionals }) => {
        seen = { values: { ...values }, positionals };
        return 7;
      });
      const io: CliIo = { out: () => undefined, err: () => undefined };
      assert.equal(await command.run(['--name', 'ada', 'a.txt'], io), 7);
      assert.deepEqual(seen, { values: { colour: 'red', loud: false, name: 'ada' }, positionals: ['a.txt'] });
      let out = '';
      seen = undefined;
      assert.equal(await command.run(['--help'], { out: (t) => void (out += t), err: () => undefined }), 0);
      assert.equal(out, `${helpText(SPEC)}\n`);
      assert.equal(seen, undefined, 'the body does not run for --help');
    });

    it('passes what follows -- on untouched when the command asks for it', () => {
      const spec = { name: 'wrap', summary: '', about: '', operands: '-- <command…>', positionals: false, passThrough: true, options: { quiet: { type: 'boolean', default: false, help: 'less' } } } as const satisfies CommandSpec;
      const { values, rest } = parseCommand(spec, ['--quiet', '--', 'codex', '--json', '-m', 'x']);
      assert.equal(values.quiet, true);
      assert.deepEqual(rest, ['codex', '--json', '-m', 'x']);
      assert.throws(() => parseCommand(spec, ['codex']), (e: unknown) => e instanceof UsageError && /Unexpected argument 'codex'/.test(e.message));
    });
  });
});
