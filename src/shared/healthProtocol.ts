// The health panel's messages (see webviewProtocol.ts for the handshake): the page asks for a
// snapshot (`ready`, `refresh`), the host answers with one.
import type { HealthSnapshot } from './health';
import { any, messageChecker, type ReadyMessage } from './webviewProtocol';

export type HealthHostMessage = { type: 'health'; snapshot: HealthSnapshot };

export type HealthWebviewMessage = ReadyMessage | { type: 'refresh' };

export const isHealthHostMessage = messageChecker<HealthHostMessage>({ health: (m) => typeof m.snapshot === 'object' && m.snapshot !== null });

export const isHealthWebviewMessage = messageChecker<HealthWebviewMessage>({ ready: any, refresh: any });
