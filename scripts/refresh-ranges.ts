/**
 * npm run refresh-ranges: downloads the published address ranges of the major clouds and CDNs
 * from each provider's official list and writes them, merged into the fewest blocks and dated, to
 * lib/net/shared-ranges.json (read by lib/net/shared-ranges.ts). A destination declared by address
 * inside one of them then needs a written reason (lib/intent, `shared`).
 *
 * Run it on a machine that reaches the providers, review the diff, commit. A source that fails to
 * download keeps what the file held for it, and the command exits 1 naming it.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { SharedRangeSource, cidrRange, formatCidr, parseCidr, rangesToCidrs, unionRanges } from '../lib/net';

const FILE = join(__dirname, '..', 'lib', 'net', 'shared-ranges.json');

/** One official list: where it is, and how to read its blocks. */
interface Source {
  readonly provider: string;
  readonly what: string;
  /** The URL the ranges are read from (for Azure, found on the download page first). */
  readonly url: string;
  read(fetchText: (url: string) => Promise<string>): Promise<{ url: string; blocks: string[] }>;
}

const json = async (fetchText: (url: string) => Promise<string>, url: string) => JSON.parse(await fetchText(url)) as Record<string, unknown>;
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

const SOURCES: readonly Source[] = [
  {
    // https://docs.aws.amazon.com/vpc/latest/userguide/aws-ip-ranges.html
    provider: 'aws',
    what: 'AWS public IP address ranges (every service: EC2, S3, CloudFront, ...)',
    url: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
    async read(fetchText) {
      const doc = await json(fetchText, this.url);
      const blocks = [...list(doc.prefixes).map((p) => p.ip_prefix), ...list(doc.ipv6_prefixes).map((p) => p.ipv6_prefix)];
      return { url: this.url, blocks: strings(blocks) };
    },
  },
  {
    // https://cloud.google.com/compute/docs/faq#find_ip_range (cloud.json: Google Cloud customers'
    // external addresses; goog.json: Google's own services, Cloud Storage's endpoints among them)
    provider: 'gcp',
    what: 'Google Cloud external IP ranges (cloud.json) and Google services (goog.json)',
    url: 'https://www.gstatic.com/ipranges/cloud.json',
    async read(fetchText) {
      const blocks: unknown[] = [];
      for (const url of [this.url, 'https://www.gstatic.com/ipranges/goog.json']) {
        for (const p of list((await json(fetchText, url)).prefixes)) blocks.push(p.ipv4Prefix ?? p.ipv6Prefix);
      }
      return { url: this.url, blocks: strings(blocks) };
    },
  },
  {
    // https://learn.microsoft.com/azure/virtual-network/service-tags-overview#discover-service-tags-by-using-downloadable-json-files
    provider: 'azure',
    what: 'Azure public cloud (service tag AzureCloud)',
    url: 'https://www.microsoft.com/en-us/download/details.aspx?id=56519',
    async read(fetchText) {
      const page = await fetchText(this.url);
      const file = /https:\/\/download\.microsoft\.com\/[^"']*ServiceTags_Public_\d+\.json/.exec(page)?.[0];
      if (!file) throw new Error(`no ServiceTags_Public_*.json link on ${this.url}`);
      const tag = list((await json(fetchText, file)).values).find((v) => v.name === 'AzureCloud');
      return { url: file, blocks: strings((tag?.properties as Record<string, unknown> | undefined)?.addressPrefixes) };
    },
  },
  {
    // https://docs.oracle.com/iaas/Content/General/Concepts/addressranges.htm
    provider: 'oracle',
    what: 'Oracle Cloud Infrastructure public IP ranges',
    url: 'https://docs.oracle.com/iaas/tools/public_ip_ranges.json',
    async read(fetchText) {
      const doc = await json(fetchText, this.url);
      return { url: this.url, blocks: strings(list(doc.regions).flatMap((r) => list(r.cidrs).map((c) => c.cidr))) };
    },
  },
  {
    // https://www.cloudflare.com/ips/
    provider: 'cloudflare',
    what: 'Cloudflare edge IP ranges',
    url: 'https://www.cloudflare.com/ips-v4',
    async read(fetchText) {
      const texts = [await fetchText(this.url), await fetchText('https://www.cloudflare.com/ips-v6')];
      return { url: this.url, blocks: texts.flatMap((t) => t.split(/\s+/)).filter(Boolean) };
    },
  },
  {
    // https://www.fastly.com/documentation/reference/api/utils/public-ip-list/
    provider: 'fastly',
    what: 'Fastly edge IP ranges',
    url: 'https://api.fastly.com/public-ip-list',
    async read(fetchText) {
      const doc = await json(fetchText, this.url);
      return { url: this.url, blocks: [...strings(doc.addresses), ...strings(doc.ipv6_addresses)] };
    },
  },
  {
    // https://docs.digitalocean.com/platform/ (the IP ranges file linked from DigitalOcean's docs)
    provider: 'digitalocean',
    what: 'DigitalOcean IP ranges',
    url: 'https://digitalocean.com/geo/google.csv',
    async read(fetchText) {
      const csv = await fetchText(this.url);
      return {
        url: this.url,
        blocks: csv
          .split('\n')
          .map((l) => l.split(',')[0].trim())
          .filter(Boolean),
      };
    },
  },
];

/** The blocks, valid ones only, merged into the fewest CIDR blocks (IPv4 first). */
export function merged(blocks: readonly string[]): string[] {
  const ranges = blocks.flatMap((b) => {
    const parsed = parseCidr(b.trim());
    return 'cidr' in parsed ? [cidrRange(parsed.cidr)] : [];
  });
  return rangesToCidrs(unionRanges(ranges)).map(formatCidr);
}

async function main(): Promise<number> {
  const previous = JSON.parse(readFileSync(FILE, 'utf8')) as { sources: SharedRangeSource[] };
  const fetchText = async (url: string) => {
    const response = await fetch(url, { headers: { 'user-agent': 'secure-ai-egress refresh-ranges' } });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.text();
  };
  const today = new Date().toISOString().slice(0, 10);
  const failed: string[] = [];
  const sources: SharedRangeSource[] = [];
  for (const s of SOURCES) {
    try {
      const { url, blocks } = await s.read(fetchText);
      const cidrs = merged(blocks);
      if (cidrs.length === 0) throw new Error('no range read');
      sources.push({ provider: s.provider, what: s.what, url, retrieved: today, cidrs });
      process.stdout.write(`refresh-ranges: ${s.provider}: ${blocks.length} ranges, ${cidrs.length} blocks merged\n`);
    } catch (e) {
      failed.push(`${s.provider} (${(e as Error).message})`);
      const kept = previous.sources.find((p) => p.provider === s.provider);
      if (kept) sources.push(kept);
    }
  }
  const note = "Written by npm run refresh-ranges (scripts/refresh-ranges.ts) from each provider's official list; never edit by hand.";
  writeFileSync(FILE, `${JSON.stringify({ note, sources }, null, 2)}\n`);
  if (failed.length) process.stderr.write(`refresh-ranges: kept the previous ranges of ${failed.join(', ')}\n`);
  return failed.length ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`refresh-ranges: ${(e as Error).message}\n`);
      process.exit(3);
    },
  );
}
