/**
 * Ready-made host lists for AI stacks, for `{ hosts, ports: [443] }` destinations: each names its
 * source and the day it was checked. Names move: when a download stops, the egress proxy's access
 * log names the host it was refused (`verdict=403`); add it here or in the app.
 */

/**
 * The Hugging Face Hub: its API and downloads (huggingface.co, whose file URLs redirect), the LFS
 * and Xet storage hosts, and the CDN hosts, as Hugging Face publishes them for firewalls at
 * https://huggingface.co/.well-known/meta.json (`hubDomains`: huggingface.co; `lfsDomains`;
 * `cdnDomains`), and the Xet bridge and server (cas-bridge.xethub.hf.co, to which
 * `huggingface.co/<repo>/resolve/...` redirects files stored with Xet; cas-server.xethub.hf.co,
 * which hf_xet asks for them). Checked 2026-12-07.
 */
export const HUGGING_FACE_HUB: readonly string[] = [
  'huggingface.co',
  'cdn-lfs.hf.co',
  'cdn-lfs-us-1.hf.co',
  'cdn-lfs-eu-1.hf.co',
  'cas-bridge.xethub.hf.co',
  'cas-server.xethub.hf.co',
  'transfer.xethub.hf.co',
  'transfer.xethub-eu.hf.co',
  'aws.cdn.hf.co',
  'us.aws.cdn.hf.co',
  'us-east-1.aws.cdn.hf.co',
  'us-west-2.aws.cdn.hf.co',
  'eu-west-3.aws.cdn.hf.co',
  'ap-southeast-1.aws.cdn.hf.co',
  'us.gcp.cdn.hf.co',
  'us-east1.us.gcp.cdn.hf.co',
  'us-central1.us.gcp.cdn.hf.co',
  'us-west4.us.gcp.cdn.hf.co',
  'europe-west4.us.gcp.cdn.hf.co',
  'asia-southeast1.us.gcp.cdn.hf.co',
];

/**
 * The Python Package Index: the index (pypi.org) and the files it links to
 * (files.pythonhosted.org), as pip fetches them (https://docs.pypi.org/api/, "Files are hosted at
 * files.pythonhosted.org"). Checked 2026-12-07.
 */
export const PYPI: readonly string[] = ['pypi.org', 'files.pythonhosted.org'];

/**
 * NVIDIA NGC: the container registry nvcr.io and the NGC API api.ngc.nvidia.com
 * (https://docs.nvidia.com/ngc/latest/), authn.nvidia.com, where nvcr.io sends clients for their
 * token, and files.ngc.nvidia.com and xfiles.ngc.nvidia.com, where model files are downloaded
 * from. Checked 2026-12-07; the last three are redirect targets: confirm them in the proxy's log.
 */
export const NVIDIA_NGC: readonly string[] = ['nvcr.io', 'api.ngc.nvidia.com', 'authn.nvidia.com', 'files.ngc.nvidia.com', 'xfiles.ngc.nvidia.com'];

/** The OpenAI API (https://platform.openai.com/docs/api-reference, base URL https://api.openai.com/v1). Checked 2026-12-07. */
export const OPENAI_API: readonly string[] = ['api.openai.com'];

/** The Anthropic API (https://docs.anthropic.com/en/api/overview, base URL https://api.anthropic.com). Checked 2026-12-07. */
export const ANTHROPIC_API: readonly string[] = ['api.anthropic.com'];

const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;

function check(what: string, value: string, pattern: RegExp, example: string): void {
  if (typeof value !== 'string' || !pattern.test(value)) throw new Error(`${what}: ${JSON.stringify(value)} is not ${example}`);
}

/**
 * Amazon S3 in one region: the regional endpoint (path-style requests,
 * `s3.<region>.amazonaws.com`) and, for each bucket given, its virtual-hosted name
 * (`<bucket>.s3.<region>.amazonaws.com`), as https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 * writes them. Never a wildcard: `*.s3.<region>.amazonaws.com` would be every bucket of the region,
 * anyone's, and the intent refuses it (a public suffix). Checked 2026-12-07.
 */
export function awsS3(region: string, buckets: readonly string[] = []): string[] {
  check('awsS3(region)', region, REGION, 'an AWS region such as "us-east-1"');
  for (const b of buckets)
    check('awsS3(region, buckets)', b, /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'a bucket name usable as a host name (lower case, digits, "-", no dots)');
  return [`s3.${region}.amazonaws.com`, ...buckets.map((b) => `${b}.s3.${region}.amazonaws.com`)];
}

/**
 * Google Cloud Storage: the global JSON and XML API endpoint storage.googleapis.com and, with a
 * region, its regional endpoint `storage.<region>.rep.googleapis.com`
 * (https://cloud.google.com/storage/docs/regional-endpoints). Checked 2026-12-07.
 */
export function googleCloudStorage(region?: string): string[] {
  if (region !== undefined) check('googleCloudStorage(region)', region, REGION, 'a Google Cloud region such as "us-central1"');
  return ['storage.googleapis.com', ...(region ? [`storage.${region}.rep.googleapis.com`] : [])];
}

/**
 * Azure Blob Storage of the storage accounts given: `<account>.blob.core.windows.net`
 * (https://learn.microsoft.com/azure/storage/common/storage-account-overview#standard-endpoints);
 * an account's name, not a region, makes its endpoint. Checked 2026-12-07.
 */
export function azureBlobStorage(accounts: readonly string[]): string[] {
  for (const a of accounts) check('azureBlobStorage(accounts)', a, /^[a-z0-9]{3,24}$/, 'a storage account name (3 to 24 lower-case letters and digits)');
  return accounts.map((a) => `${a}.blob.core.windows.net`);
}
