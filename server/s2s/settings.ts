// Federation settings from the server configuration, with their defaults, checked once at start. Mistakes are
// reported as sentences for people (ConfigError), like the rest of the configuration.
import net from 'node:net';
import { ConfigError, type ServerConfig } from '../core/config.js';
import { prepDomainpart } from '../core/jid.js';
import { DEFAULT_S2S_PORT } from './namespaces.js';

export interface HostPort { host: string; port: number }

export interface S2sSettings {
  /** Static routes by (prepared) remote domain, consulted before DNS; follows changes to config.s2sHosts. */
  hosts(): ReadonlyMap<string, HostPort>;
  requireTls: boolean;
  /** Extra trust anchors (PEM) for peer certificates, besides the system's; follows config.s2sTrustedCas. */
  trustedCas(): readonly string[];
  /** Resolve + connect + authenticate, and each dialback verification. */
  timeoutMs: number;
  idleMs: number;
}

/** "host:port", "[v6]:port", "host" or "v6" (port 5269); null when it is none of these. */
export function parseHostPort(value: string): HostPort | null {
  const v = value.trim();
  let host = v;
  let port = DEFAULT_S2S_PORT;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(v);
  if (bracket) {
    host = bracket[1];
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if (net.isIPv6(v)) {
    host = v;
  } else {
    const m = /^([^:\s]+)(?::(\d+))?$/.exec(v);
    if (!m) return null;
    host = m[1];
    if (m[2] !== undefined) port = Number(m[2]);
  }
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host, port };
}

function seconds(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${name} must be a number of seconds above 0, not ${JSON.stringify(value)}.`);
  }
  return value;
}

/** config.s2sHosts as a map; throws ConfigError for entries that are not domain → "host:port". */
export function parseRoutes(given: unknown): Map<string, HostPort> {
  const hosts = new Map<string, HostPort>();
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new ConfigError('s2sHosts must map domains to "host:port", e.g. { "lab.example": "10.0.0.7:5269" }.');
  }
  for (const [domain, value] of Object.entries(given)) {
    let d: string;
    try {
      d = prepDomainpart(domain);
    } catch {
      throw new ConfigError(`"${domain}" in s2sHosts is not a domain name.`);
    }
    const hp = typeof value === 'string' ? parseHostPort(value) : null;
    if (!hp) throw new ConfigError(`The route for ${domain} in s2sHosts must be "host:port" or "host", not ${JSON.stringify(value)}.`);
    hosts.set(d, hp);
  }
  return hosts;
}

export function s2sSettings(config: ServerConfig): S2sSettings {
  let parsedFrom: unknown = config.s2sHosts;
  let parsed = parseRoutes(parsedFrom ?? {});
  const hosts = (): ReadonlyMap<string, HostPort> => {
    if (config.s2sHosts !== parsedFrom) {
      try {
        parsed = parseRoutes(config.s2sHosts ?? {});
      } catch {
        /* a bad edit at run time keeps the routes in use */
      }
      parsedFrom = config.s2sHosts;
    }
    return parsed;
  };
  const checkCas = (cas: unknown): readonly string[] => {
    if (!Array.isArray(cas) || cas.some((c) => typeof c !== 'string' || !c.includes('-----BEGIN CERTIFICATE-----'))) {
      throw new ConfigError('s2sTrustedCas must be a list of PEM certificates ("-----BEGIN CERTIFICATE-----…").');
    }
    return cas as string[];
  };
  let casFrom: unknown = config.s2sTrustedCas;
  let cas = checkCas(casFrom ?? []);
  const trustedCas = (): readonly string[] => {
    if (config.s2sTrustedCas !== casFrom) {
      try {
        cas = checkCas(config.s2sTrustedCas ?? []);
      } catch {
        /* keep the list in use */
      }
      casFrom = config.s2sTrustedCas;
    }
    return cas;
  };
  return {
    hosts,
    requireTls: config.s2sRequireTls !== false,
    trustedCas,
    timeoutMs: seconds(config.s2sTimeoutSeconds, 's2sTimeoutSeconds', 30) * 1000,
    idleMs: seconds(config.s2sIdleSeconds, 's2sIdleSeconds', 600) * 1000,
  };
}
