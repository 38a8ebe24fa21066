import { AiAppIntent, IngressClient, PlatformIntent } from './types';

/** Where an app's metrics are scraped from: the port, and the scrapers admitted there. */
export interface Scrape {
  readonly port: number;
  readonly scrapers: readonly IngressClient[];
}

/**
 * How an app is scraped, or undefined when it is not: an app that declares `metrics`, with its own
 * scrapers or else the platform's; without scrapers nothing is opened, not even the port.
 */
export function scrapeOf(app: AiAppIntent, platform: Pick<PlatformIntent, 'metrics'>): Scrape | undefined {
  if (app.metrics === undefined) return undefined;
  const scrapers = app.metrics.scrapers ?? platform.metrics?.scrapers ?? [];
  if (scrapers.length === 0) return undefined;
  return { port: app.metrics.port ?? app.port, scrapers };
}
