import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { adminClient, client, signUp, stack } from '../testing';

describe('local stack: Auth (/auth/v1) with unmodified supabase-js', () => {
  it('signs up (auto-confirmed) and returns a session whose JWT carries Supabase claims', async () => {
    const user = await signUp();
    const claims = decodeJwt(user.session.access_token);
    assert.equal(claims.sub, user.id);
    assert.equal(claims.role, 'authenticated');
    assert.equal(claims.aud, 'authenticated');
    assert.equal(claims.email, user.email);
    assert.equal(typeof claims.session_id, 'string');
    assert.ok((claims.exp ?? 0) > Date.now() / 1000);
    assert.ok(user.session.refresh_token);
    const { data } = await user.client.auth.getUser(user.session.access_token);
    assert.equal(data.user?.email, user.email);
  });

  it('signs in with the right password and refuses a wrong one with invalid_credentials', async () => {
    const user = await signUp();
    const c = client();
    const ok = await c.auth.signInWithPassword({ email: user.email, password: user.password });
    assert.equal(ok.error, null);
    assert.equal(ok.data.user?.id, user.id);
    const bad = await client().auth.signInWithPassword({ email: user.email, password: 'wrong password' });
    assert.equal(bad.error?.status, 400);
    assert.equal(bad.error?.code, 'invalid_credentials');
    assert.match(bad.error?.message ?? '', /Invalid login credentials/);
  });

  it('refuses a second sign-up with the same email, a weak password and a malformed email', async () => {
    const user = await signUp();
    const again = await client().auth.signUp({ email: user.email, password: 'another password' });
    assert.equal(again.error?.code, 'user_already_exists');
    const weak = await client().auth.signUp({ email: `w-${randomUUID()}@example.test`, password: '123' });
    assert.equal(weak.error?.code, 'weak_password');
    const malformed = await client().auth.signUp({ email: 'not-an-email', password: 'long enough' });
    assert.equal(malformed.error?.status, 400);
  });

  it('rotates refresh tokens: a refresh gives new tokens, and an old refresh token is single use once its few seconds of grace are over', async () => {
    const user = await signUp();
    const c = client();
    await c.auth.setSession({ access_token: user.session.access_token, refresh_token: user.session.refresh_token });
    const refreshed = await c.auth.refreshSession();
    assert.equal(refreshed.error, null);
    assert.notEqual(refreshed.data.session?.refresh_token, user.session.refresh_token);
    assert.equal(decodeJwt(refreshed.data.session!.access_token).session_id, decodeJwt(user.session.access_token).session_id);

    const admin = await adminClient();
    try {
      await admin.query("update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1", [user.session.refresh_token]);
    } finally {
      await admin.end();
    }
    const reused = await client().auth.refreshSession({ refresh_token: user.session.refresh_token });
    assert.equal(reused.error?.code, 'refresh_token_already_used');
  });

  it('signs out: the refresh token stops working', async () => {
    const user = await signUp();
    const c = client();
    await c.auth.setSession({ access_token: user.session.access_token, refresh_token: user.session.refresh_token });
    const out = await c.auth.signOut();
    assert.equal(out.error, null);
    const after = await client().auth.refreshSession({ refresh_token: user.session.refresh_token });
    assert.ok(after.error, 'refresh after sign-out must fail');
  });

  it('refuses requests without a valid project apikey', async () => {
    const url = `${stack().env.API_URL}/auth/v1/token?grant_type=password`;
    const none = await fetch(url, { method: 'POST', body: '{}' });
    assert.equal(none.status, 401);
    const wrong = await fetch(url, { method: 'POST', body: '{}', headers: { apikey: 'not-a-key' } });
    assert.equal(wrong.status, 401);
    assert.match(((await wrong.json()) as { message: string }).message, /Invalid API key/);
  });

  it('answers an expired or forged access token on /user with 403 bad_jwt', async () => {
    const expired = await stack().keys.sign({ role: 'authenticated', sub: randomUUID(), exp: Math.floor(Date.now() / 1000) - 10 }, -10);
    const forged = (await signUp()).session.access_token.slice(0, -4) + 'AAAA';
    for (const token of [expired, forged]) {
      const res = await fetch(`${stack().env.API_URL}/auth/v1/user`, { headers: { apikey: stack().env.ANON_KEY, authorization: `Bearer ${token}` } });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error_code: string }).error_code, 'bad_jwt');
    }
  });
});
