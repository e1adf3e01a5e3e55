// One request must never take the local stack down: raw request lines (paths that are not paths,
// protocol-relative targets, absolute URLs of other hosts, bytes) and WebSocket upgrades with them
// get an HTTP answer, and the stack keeps serving. Bounded: a fixed list plus 300 random targets
// from a fixed seed.
import assert from 'node:assert/strict';
import net from 'node:net';
import { seededRandom, stack } from '../testing';

/** Sends `raw` on a fresh TCP connection; resolves with the status line of the answer ('' if none). */
function send(raw: string): Promise<string> {
  const { port } = new URL(stack().env.API_URL);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let data = '';
    const done = () => {
      socket.destroy();
      resolve(data.split('\r\n')[0] ?? '');
    };
    socket.setTimeout(3000, done);
    socket.on('data', (d) => {
      data += d.toString('latin1');
      if (data.includes('\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(raw);
  });
}

const health = async () => (await fetch(`${stack().env.API_URL}/health`)).status;

describe('local stack: any request line gets an answer, and the stack stays up', function () {
  this.timeout(60_000);

  const targets = ['//', '//x:y', '///etc/passwd', '//[::1', 'http://evil.example/rest/v1/x', '*', 'rest/v1/x', '/%', '/rest/v1/%zz', '/\u0000', '//realtime/v1/websocket'];
  for (const target of targets) {
    it(`GET ${JSON.stringify(target)} → 4xx, and /health still answers`, async () => {
      const status = await send(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      assert.match(status, /^HTTP\/1\.1 4\d\d /, `answered ${JSON.stringify(status)}`);
      assert.equal(await health(), 200);
    });
  }

  it('WebSocket upgrades with such targets are refused with 400, and the stack stays up', async () => {
    for (const target of ['//', '//x:y', '//realtime/v1/websocket?apikey=x']) {
      const status = await send(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      assert.match(status, /^HTTP\/1\.1 4\d\d /, `${target}: ${JSON.stringify(status)}`);
    }
    assert.equal(await health(), 200);
  });

  it('300 random request targets (fixed seed): every one answered, none takes the stack down', async () => {
    const random = seededRandom(20261130);
    const alphabet = '/:?#@[]%.\\*abc019-_ ~\u00e9\u0001';
    for (let i = 0; i < 300; i++) {
      const length = 1 + Math.floor(random() * 24);
      const target = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('').replace(/ /g, '%20');
      const status = await send(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      assert.ok(status === '' || /^HTTP\/1\.1 \d\d\d /.test(status), `${JSON.stringify(target)}: ${JSON.stringify(status)}`);
    }
    assert.equal(await health(), 200);
  });
});
