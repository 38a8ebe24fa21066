/**
 * The real Squid, run on the configuration synth writes: it parses (`squid -k parse`), and on
 * loopback it tunnels exactly the declared names, ports and apps, and refuses and logs the rest.
 *
 * Nothing leaves loopback. The proxy listens on a loopback address drawn for this run; the
 * declared names map to another loopback address, where a small server answers, through the
 * proxy's hosts file; "a name that resolves to a private address" maps to a third loopback address
 * that the test configuration adds to the refused blocks, from which loopback itself is taken out
 * (the configuration refuses 127.0.0.0/8, which would refuse every target here). Those are the
 * only edits (see `forLoopback`). Squid asks its DNS server (a fourth loopback address) nothing:
 * every name is in the hosts file or refused before any lookup, which a listener there checks
 * where the test may open port 53 (as root).
 *
 * Squid is Debian's package (`apt-get install -y squid`, 5.7 on Debian 12). Without it, the tests
 * are skipped with one line that says so; `.ci/run` installs it and sets REQUIRE_SQUID=1, which
 * makes its absence a failure.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomInt } from 'crypto';
import { createSocket, Socket as UdpSocket } from 'dgram';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'fs';
import { createConnection, createServer, Server } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { PlatformIntent } from '../lib/intent';
import { synthesized } from './support/synth';
import { readManifests } from '../lib/testing';

const SQUID = ['/usr/sbin/squid', '/usr/bin/squid'].find(existsSync);
const REQUIRED = process.env.REQUIRE_SQUID === '1';

/** Two apps, each with names of its own; `private.example.test` resolves (here) into a refused block. */
const INTENT: PlatformIntent = {
  apps: [
    {
      name: 'rag',
      namespace: 'ai-rag',
      image: 'ghcr.io/example/rag:1.0.0',
      port: 8000,
      egress: [
        { hosts: ['api.example.test', '*.cdn.example.test', 'private.example.test'], ports: [18443] },
        { hosts: ['plain.example.test'], ports: [18080] },
      ],
    },
    {
      name: 'other',
      namespace: 'ai-other',
      image: 'ghcr.io/example/other:1.0.0',
      port: 8000,
      flavor: 'calico',
      egress: [{ hosts: ['other.example.test'], ports: [18443] }],
    },
  ],
};

/** A loopback address of this run: 127.x.y.z away from 127.0.0.0/16, where other programs listen. */
const BASE = `127.${randomInt(100, 250)}.${randomInt(0, 256)}`;
const ADDR = { proxy: `${BASE}.1`, target: `${BASE}.2`, private: `${BASE}.3`, dns: `${BASE}.4` } as const;

/** The configuration synth writes, as the ConfigMap of the proxy holds it. */
function generatedConfig(): string {
  const configMap = synthesized(INTENT, readManifests).find((m) => m.object.kind === 'ConfigMap' && m.object.metadata.name === 'egress-proxy');
  if (!configMap) throw new Error('synth wrote no ConfigMap egress-proxy');
  return configMap.object.data['squid.conf'];
}

/**
 * The test's edits, and nothing else: listen on the proxy's loopback address; refuse the private
 * stand-in instead of loopback; read names from the test's hosts file; ask the test's DNS address.
 */
function forLoopback(config: string, hostsFile: string): string {
  const lines = config.split('\n').flatMap((line) => {
    if (line.startsWith('http_port ')) return [line.replace(/^http_port (\d+)/, `http_port ${ADDR.proxy}:$1`)];
    if (line === 'acl non-public dst 127.0.0.0/8') return [`acl non-public dst ${ADDR.private}`];
    return [line];
  });
  return [...lines, `hosts_file ${hostsFile}`, `dns_nameservers ${ADDR.dns}`, ''].join('\n');
}

/** The app ports of the configuration: the `http_port` of each app, by the app its `note` names. */
function appPorts(config: string): Record<string, number> {
  const ports: Record<string, number> = {};
  for (const m of config.matchAll(/^note app (\S+) app-(\d+)$/gm)) ports[m[1]] = Number(m[2]);
  return ports;
}

/**
 * One request through the proxy: the status code of its answer and what came after the answer's
 * head: for a tunnel, what came back through it for `payload`; for a URL, the body.
 */
function request(port: number, line: string, payload?: string): Promise<{ status: number; echoed: string }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: ADDR.proxy, port });
    let data = '';
    let sent = false;
    const result = () => {
      const head = data.indexOf('\r\n\r\n');
      return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? NaN), echoed: head < 0 ? '' : data.slice(head + 4) };
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${line}: ${JSON.stringify(data)}`));
    }, 10_000);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result());
    };
    socket.on('connect', () => socket.write(`${line}\r\n\r\n`));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const { status, echoed } = result();
      if (data.indexOf('\r\n\r\n') < 0) return;
      // A refusal, or a tunnel without anything to send through it, is answered by its head.
      if (status !== 200 || (payload === undefined && line.startsWith('CONNECT '))) return done();
      if (payload !== undefined && !sent) {
        sent = true;
        socket.write(payload);
      }
      if (payload !== undefined && echoed.length >= payload.length) done();
    });
    socket.on('error', reject);
    socket.on('end', done);
  });
}

const connect = (port: number, host: string, target: number, payload?: string) =>
  request(port, `CONNECT ${host}:${target} HTTP/1.1\r\nHost: ${host}:${target}`, payload);

const skipLine = `the real Squid is not installed (${['/usr/sbin/squid', '/usr/bin/squid'].join(', ')}): apt-get install -y squid, then npm test; REQUIRE_SQUID=1 (as in .ci/run) makes this a failure`;

if (!SQUID) {
  if (REQUIRED) {
    test('the real Squid is installed, as REQUIRE_SQUID=1 requires', () => {
      throw new Error(skipLine);
    });
  } else {
    process.stderr.write(`test/squid-run.test.ts skipped: ${skipLine}\n`);
    test.skip(skipLine, () => undefined);
  }
} else {
  const squid = SQUID;
  const config = generatedConfig();
  const ports = appPorts(config);

  describe('squid -k parse', () => {
    it('reads the configuration synth writes without an error or a warning', () => {
      const dir = mkdtempSync(join(tmpdir(), 'squid-parse-'));
      try {
        writeFileSync(join(dir, 'squid.conf'), config);
        const run = spawnSync(squid, ['-k', 'parse', '-f', join(dir, 'squid.conf')], { encoding: 'utf8' });
        const output = `${run.stdout}${run.stderr}`;
        expect({ status: run.status, problems: output.split('\n').filter((l) => /ERROR|FATAL|WARNING|UPGRADE|Bungled/.test(l)) }).toEqual({
          status: 0,
          problems: [],
        });
        expect(output).toContain('Processing: http_access deny all');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('the real Squid on loopback, with the configuration synth writes', () => {
    let dir: string;
    let proxy: ChildProcess;
    let target: Server;
    let dns: UdpSocket | undefined;
    const questions: string[] = [];
    const log = () => readFileSync(join(dir, 'stdout'), 'utf8');
    /** The log's lines once one matches: Squid writes a transaction's line when it ends, a tunnel's when it closes. */
    const logged = async (match: (line: string) => boolean): Promise<string[]> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const lines = log().split('\n').filter(match);
        if (lines.length > 0 || Date.now() > deadline) return lines;
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'squid-live-'));
      chmodSync(dir, 0o755);
      // Where the names lead: an HTTP answer to a request, the bytes back through a tunnel.
      target = createServer((socket) =>
        socket.once('data', (first) => {
          if (/^(GET|HEAD) /.test(first.toString('latin1'))) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
          else socket.end(first);
        }),
      );
      await new Promise<void>((resolve) => target.listen(18443, ADDR.target, resolve));
      const plain = createServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok')));
      await new Promise<void>((resolve) => plain.listen(18080, ADDR.target, resolve));
      target.on('close', () => plain.close());
      if (process.getuid?.() === 0) {
        dns = createSocket('udp4');
        dns.on('message', (m) => questions.push(m.toString('latin1')));
        await new Promise<void>((resolve) => dns!.bind(53, ADDR.dns, resolve));
      }
      // Every name the tests ask for but undeclared.example.test, which must be refused before a lookup would look for it.
      const hosts = [
        `${ADDR.target} api.example.test x.cdn.example.test cdn.example.test a.b.cdn.example.test other.example.test plain.example.test`,
        `${ADDR.private} private.example.test`,
      ].join('\n');
      writeFileSync(join(dir, 'hosts'), `${hosts}\n`);
      writeFileSync(join(dir, 'squid.conf'), forLoopback(config, join(dir, 'hosts')));
      for (const f of ['hosts', 'squid.conf']) chmodSync(join(dir, f), 0o644);
      // stdout and stderr are files Squid reopens (access_log stdio:/dev/stdout, cache_log /dev/stderr).
      const out = openSync(join(dir, 'stdout'), 'w', 0o666);
      const err = openSync(join(dir, 'stderr'), 'w', 0o666);
      chmodSync(join(dir, 'stdout'), 0o666);
      chmodSync(join(dir, 'stderr'), 0o666);
      // As the pod runs it: not root (as root, as nobody, which Squid then keeps).
      const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      proxy = spawn(squid, ['-N', '-f', join(dir, 'squid.conf')], { stdio: ['ignore', out, err], ...asUser });
      closeSync(out);
      closeSync(err);
      const deadline = Date.now() + 15_000;
      for (;;) {
        const up = await new Promise<boolean>((resolve) => {
          const s = createConnection({ host: ADDR.proxy, port: 3128 });
          s.on('connect', () => (s.destroy(), resolve(true)));
          s.on('error', () => resolve(false));
        });
        if (up) break;
        if (proxy.exitCode !== null || Date.now() > deadline) throw new Error(`squid did not start: ${readFileSync(join(dir, 'stderr'), 'utf8').slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    afterAll(async () => {
      // Killed and waited for, so that the child's handle does not outlive this file in the jest worker.
      if (proxy && proxy.exitCode === null && proxy.signalCode === null) {
        const exited = new Promise((resolve) => proxy.once('exit', resolve));
        proxy.kill('SIGKILL');
        await exited;
      }
      await new Promise<void>((resolve) => (dns ? dns.close(() => resolve()) : resolve()));
      await new Promise((resolve) => (target ? target.close(resolve) : resolve(undefined)));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('gives each app a port of its own, named in the configuration', () => {
      expect(ports).toEqual({ 'ai-other/other': expect.any(Number), 'ai-rag/rag': expect.any(Number) });
      expect(ports['ai-other/other']).not.toBe(ports['ai-rag/rag']);
    });

    it('tunnels a declared name on a declared port, from the app that declares it, to the address it resolves to', async () => {
      expect(await connect(ports['ai-rag/rag'], 'api.example.test', 18443, 'ping\n')).toEqual({ status: 200, echoed: 'ping\n' });
      const line = new RegExp(
        `app=ai-rag/rag host=api\\.example\\.test port=18443 method=CONNECT verdict=200 \\S+ client=\\S+ server=${ADDR.target.replace(/\./g, '\\.')}`,
      );
      expect(await logged((l) => line.test(l))).not.toEqual([]);
    });

    it('matches names whatever their case, with or without the trailing dot', async () => {
      expect((await connect(ports['ai-rag/rag'], 'API.Example.Test.', 18443, 'ping\n')).status).toBe(200);
    });

    it('forwards a plain http:// URL of a declared name and port', async () => {
      const answer = await request(ports['ai-rag/rag'], 'GET http://plain.example.test:18080/ HTTP/1.1\r\nHost: plain.example.test:18080\r\nConnection: close');
      expect(answer).toEqual({ status: 200, echoed: 'ok' });
    });

    it('lets `*.cdn.example.test` through for a name one label below, never for cdn.example.test itself nor deeper names', async () => {
      expect((await connect(ports['ai-rag/rag'], 'x.cdn.example.test', 18443, 'ping\n')).status).toBe(200);
      expect((await connect(ports['ai-rag/rag'], 'cdn.example.test', 18443)).status).toBe(403);
      expect((await connect(ports['ai-rag/rag'], 'a.b.cdn.example.test', 18443)).status).toBe(403);
    });

    it.each([
      ['an undeclared name', 'rag', 'undeclared.example.test', 18443],
      ["another app's name", 'rag', 'other.example.test', 18443],
      ['an IP literal', 'rag', ADDR.target, 18443],
      ['an IPv6 literal', 'rag', '[::1]', 18443],
      ['an IP literal written as a number', 'rag', '2130706433', 18443],
      ['a declared name on an undeclared port', 'rag', 'api.example.test', 18444],
      ['a declared name that resolves into a refused block', 'rag', 'private.example.test', 18443],
    ])('refuses %s, and logs the refusal with the app', async (_, app, host, port) => {
      const id = app === 'rag' ? 'ai-rag/rag' : 'ai-other/other';
      expect((await connect(ports[id], host, port)).status).toBe(403);
      const lines = await logged((l) => l.includes(`app=${id} `) && l.includes(`port=${port} `) && l.includes('verdict=403'));
      expect(lines.length).toBeGreaterThan(0);
    });

    it("admits the other app's name on the other app's port", async () => {
      expect(await connect(ports['ai-other/other'], 'other.example.test', 18443, 'ping\n')).toEqual({ status: 200, echoed: 'ping\n' });
      expect((await connect(ports['ai-other/other'], 'api.example.test', 18443)).status).toBe(403);
    });

    it('refuses everything on the port the kubelet probes', async () => {
      expect((await connect(3128, 'api.example.test', 18443)).status).toBe(403);
    });

    it('looks up no name: the declared ones are in its hosts file, and the others are refused before any lookup', () => {
      if (!dns) return; // opening port 53 needs root; .ci/run runs as root
      expect(questions).toEqual([]);
    });
  });
}
