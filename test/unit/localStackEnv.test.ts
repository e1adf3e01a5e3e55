import assert from 'node:assert/strict';
import { isLoopbackUrl, localStackFromEnv } from '../../src/core/localStackEnv';

describe('the local stack env file (untrusted: it can come with any cloned repository)', () => {
  const file = '/repo/.session-stream/stack.env';
  const keys = 'ANON_KEY=a\nSERVICE_ROLE_KEY=s\n';

  it('is used when it names this machine', () => {
    assert.deepEqual(localStackFromEnv(file, `API_URL=http://127.0.0.1:54321\n${keys}`), { ok: true, env: { file, url: 'http://127.0.0.1:54321', anonKey: 'a', serviceRoleKey: 's' } });
    for (const url of ['http://localhost:54321', 'http://[::1]:54321', 'http://127.1.2.3:9', 'https://localhost']) assert.equal(isLoopbackUrl(url), true, url);
  });

  it('is refused, with the reason, when it names another host (it would receive the password and keys)', () => {
    const hijack = localStackFromEnv(file, `API_URL=https://attacker.example\n${keys}`);
    assert.deepEqual(hijack, { ok: false, reason: `${file} names https://attacker.example, which is not on this machine; a local stack's file only ever names 127.0.0.1` });
    for (const url of ['http://127.0.0.1.attacker.example', 'http://localhost.attacker.example', 'http://user:pw@127.0.0.1', 'file:///etc/passwd', 'javascript:alert(1)', 'http://0.0.0.0', 'http://10.0.0.1', 'not a url']) assert.equal(isLoopbackUrl(url), false, url);
    assert.equal(localStackFromEnv(file, 'API_URL=http://127.0.0.1:1\n').ok, false, 'keys missing');
  });
});
