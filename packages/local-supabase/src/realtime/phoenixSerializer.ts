// Phoenix channel frames as realtime-js speaks them. vsn 1.0.0: JSON objects. vsn 2.0.0: JSON
// arrays `[join_ref, ref, topic, event, payload]`, plus binary frames for user broadcasts
// (kind 3 = client push, kind 4 = server broadcast). Source: realtime-js lib/serializer.js.

export type Vsn = '1.0.0' | '2.0.0';

export interface PhoenixMessage {
  join_ref: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Record<string, unknown>;
}

export class FrameError extends Error {}

const KIND_PUSH = 3;
const KIND_BROADCAST = 4;
const JSON_ENCODING = 1;

function asMessage(joinRef: unknown, ref: unknown, topic: unknown, event: unknown, payload: unknown): PhoenixMessage {
  if (typeof topic !== 'string' || typeof event !== 'string') throw new FrameError('frame needs a string topic and event');
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new FrameError('frame payload must be an object');
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return { join_ref: str(joinRef), ref: str(ref), topic, event, payload: payload as Record<string, unknown> };
}

function decodeBinaryPush(buffer: Buffer): PhoenixMessage {
  if (buffer.length < 7 || buffer[0] !== KIND_PUSH) throw new FrameError(`unsupported binary frame kind ${buffer[0] ?? 'none'}`);
  const [joinRefLen, refLen, topicLen, eventLen, metaLen, encoding] = [...buffer.subarray(1, 7)] as number[];
  let offset = 7;
  const take = (n: number): string => {
    if (offset + n > buffer.length) throw new FrameError('binary frame is shorter than its header says');
    const text = buffer.subarray(offset, offset + n).toString('utf8');
    offset += n;
    return text;
  };
  const joinRef = take(joinRefLen!);
  const ref = take(refLen!);
  const topic = take(topicLen!);
  const userEvent = take(eventLen!);
  const metadata = take(metaLen!);
  const body = buffer.subarray(offset);
  let payload: unknown;
  try {
    payload = encoding === JSON_ENCODING ? JSON.parse(body.toString('utf8')) : body;
  } catch {
    throw new FrameError('binary broadcast payload is not valid JSON');
  }
  const meta = metadata ? (JSON.parse(metadata) as Record<string, unknown>) : {};
  return asMessage(joinRef || null, ref || null, topic, 'broadcast', { type: 'broadcast', event: userEvent, payload, ...meta });
}

export function decodeFrame(data: Buffer | string, isBinary: boolean, vsn: Vsn): PhoenixMessage {
  if (isBinary) {
    if (vsn !== '2.0.0') throw new FrameError('binary frames need vsn 2.0.0');
    return decodeBinaryPush(Buffer.isBuffer(data) ? data : Buffer.from(data));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString());
  } catch {
    throw new FrameError('frame is not valid JSON');
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length !== 5) throw new FrameError('vsn 2.0.0 frames are [join_ref, ref, topic, event, payload]');
    return asMessage(parsed[0], parsed[1], parsed[2], parsed[3], parsed[4]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new FrameError('vsn 1.0.0 frames are JSON objects');
  const m = parsed as Record<string, unknown>;
  return asMessage(m.join_ref, m.ref, m.topic, m.event, m.payload);
}

export function encodeFrame(message: PhoenixMessage, vsn: Vsn): string | Buffer {
  const payload = message.payload;
  if (vsn === '2.0.0' && message.event === 'broadcast' && Buffer.isBuffer(payload.payload)) {
    const topic = Buffer.from(message.topic);
    const event = Buffer.from(String(payload.event ?? ''));
    const header = Buffer.from([KIND_BROADCAST, topic.length, event.length, 0, 0]);
    return Buffer.concat([header, topic, event, payload.payload]);
  }
  if (vsn === '2.0.0') return JSON.stringify([message.join_ref, message.ref, message.topic, message.event, payload]);
  return JSON.stringify(message);
}
