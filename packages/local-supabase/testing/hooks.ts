// One local stack (real PostgreSQL in a child process + the gateway) for the whole integration
// run, on free ports, in a temporary data dir; torn down afterwards.
import { startStack } from '../src/stack';
import { fixture } from './fixture';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    fixture.stack = await startStack({ port: 0, logLevel: (process.env.SESSION_STREAM_LOG as 'error' | undefined) ?? 'error' });
    fixture.db = fixture.stack.db;
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await fixture.stack?.stop();
  },
};
