/**
 * Kubernetes quantities of bytes (`512Mi`, `40Gi`, `5G`), as numbers and back, so that sizes
 * declared separately can be compared and added up: the pod's `ephemeral-storage` must cover the
 * emptyDirs on disk, and shared memory must fit in the memory limit.
 *
 * The suffixes are those of the Kubernetes quantity format
 * (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/): binary
 * `Ki Mi Gi Ti Pi Ei`, decimal `k M G T P E` and `m` (thousandths), or a decimal exponent.
 * A leaf module: it imports nothing of the project.
 */

const BINARY: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Readonly<Record<string, number>> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))(?:([eE][-+]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E))?$/;

/** The number a quantity stands for (bytes, for a size), or undefined when it is not a quantity. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, number, exponent, suffix = ''] = match;
  const value = Number(number);
  if (exponent !== undefined) return value * 10 ** Number(exponent.slice(1));
  return value * (BINARY[suffix] ?? DECIMAL[suffix]);
}

/** A whole number of bytes in the largest binary unit that holds it exactly: `43520Mi`, `2Gi`, `1536`. */
export function formatBytes(bytes: number): string {
  const whole = Math.ceil(bytes);
  for (const unit of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
    if (whole >= BINARY[unit] && whole % BINARY[unit] === 0) return `${whole / BINARY[unit]}${unit}`;
  }
  return String(whole);
}
