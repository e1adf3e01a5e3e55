// The timeline page's requests to the host: `request(type, params)` posts one (vscodeApi.ts) and
// settles with its one reply (src/shared/requests.ts); a failure is a rejected promise with the
// reason, for the caller to show.
import { isReplyMessage, RequestClient, type RequestType } from '../src/shared/requests';
import { postTimeline } from './vscodeApi';

const client = new RequestClient((m) => postTimeline(m));

// Listening from the bundle's start, before the app's first message, so no reply is missed.
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isReplyMessage(event.data)) client.receive(event.data);
});

/** Asks the host; rejects with a `RequestError` saying why when there is no result. */
export function request<P, R>(type: RequestType<P, R>, params: P): Promise<R> {
  return client.request(type, params);
}
