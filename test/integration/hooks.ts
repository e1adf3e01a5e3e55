// One real PostgreSQL for the whole integration run (started in a child process), torn down after.
import { startPostgres } from '../../supabase/local/localPostgres';
import { fixture } from './fixture';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    fixture.db = await startPostgres();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await fixture.db?.stop();
  },
};
