// Parsing of the `llm2clip.server` setting.

export interface ServerAddress {
  host: string;
  port: number;
  /** host:port as gRPC expects it (IPv6 hosts in brackets). */
  target: string;
  loopback: boolean;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/** Accepts `host:port`, `[v6]:port` or a bare port; throws with the expected form otherwise. */
export function parseServerAddress(value: string): ServerAddress {
  const text = value.trim().replace(/^(grpcs?|https?):\/\//, "");
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):)?(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new Error(`llm2clip.server is "${value}"; expected host:port, e.g. 127.0.0.1:50051`);
  }
  const host = match[1] ?? "127.0.0.1";
  return { host, port, target: `${host}:${port}`, loopback: LOOPBACK_HOSTS.has(host) || host.startsWith("127.") };
}
