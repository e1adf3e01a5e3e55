// Where the local stack keeps its things, relative to the repository (or any folder it is started
// in), and the demo user that `npm start`, `npm run demo` and the command line's fallback sign-in
// share. One place, so the extension, the command line and the scripts agree.

/** The local stack's data directory (database, JWT secret). */
export const LOCAL_STACK_DIR = '.session-stream/stack';
/** The env file `npm run stack` writes (`API_URL=…`, `ANON_KEY=…`, …) and everything else reads. */
export const LOCAL_STACK_ENV_FILE = '.session-stream/stack.env';
/** The demo user of the local stack. Not a secret: the stack listens on 127.0.0.1 only. */
export const DEMO_EMAIL = 'demo@session-stream.local';
export const DEMO_PASSWORD = 'demo-password-123';
