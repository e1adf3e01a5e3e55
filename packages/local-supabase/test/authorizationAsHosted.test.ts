// A private channel's join is authorized as hosted Realtime does it: the probe is read as the
// joining user's role, with the connection's headers in `request.headers`, and a policy that fails
// with an error authorizes nothing (the join is refused as unauthorized, not "try again").
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel } from '@supabase/supabase-js';
import { adminClient, signUp, type TestUser } from '../testing';

function join(user: TestUser, topic: string): Promise<{ status: string; error?: string; channel: RealtimeChannel }> {
  return new Promise((resolve) => {
    const channel = user.client.channel(topic, { config: { private: true } });
    let settled = false;
    channel.subscribe((status, error) => {
      if (settled || status === 'CLOSED') return;
      settled = true;
      resolve({ status, error: error?.message, channel });
    });
  });
}

describe('local stack: private channel authorization as hosted Realtime does it', function () {
  this.timeout(30_000);
  let user: TestUser;
  const tag = randomUUID().slice(0, 8);

  before(async () => {
    user = await signUp();
    const admin = await adminClient();
    try {
      // Readable only as the joining user's own role and with the connection's headers set.
      await admin.query(`create policy "probe as the user ${tag}" on realtime.messages for select to authenticated
        using (realtime.topic() = 'as-user:${tag}' and current_user = 'authenticated' and (current_setting('request.headers', true)::jsonb ->> 'host') is not null)`);
      await admin.query(`create policy "failing policy ${tag}" on realtime.messages for select to authenticated
        using (realtime.topic() = 'failing:${tag}' and (1 / (length(realtime.topic()) - length(realtime.topic()))) = 1)`);
    } finally {
      await admin.end();
    }
  });

  after(async () => {
    const admin = await adminClient();
    await admin.query(`drop policy "probe as the user ${tag}" on realtime.messages`);
    await admin.query(`drop policy "failing policy ${tag}" on realtime.messages`);
    await admin.end();
  });

  it('reads the probe as the user, with request.headers set', async () => {
    const r = await join(user, `as-user:${tag}`);
    assert.equal(r.status, 'SUBSCRIBED', r.error);
    await user.client.removeChannel(r.channel);
  });

  it('a policy that fails with an error refuses the join as unauthorized', async () => {
    const r = await join(user, `failing:${tag}`);
    assert.equal(r.status, 'CHANNEL_ERROR');
    assert.match(r.error ?? '', /Unauthorized: You do not have permissions to read from this Channel topic/);
    await user.client.removeChannel(r.channel);
  });
});
