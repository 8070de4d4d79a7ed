// Secure defaults: a daemon that other machines can reach must encrypt its traffic and ask for a token.
import { BlockList, isIP } from "node:net";
import { formatListenAddress, TOKEN_ENV, UsageError, type DaemonOptions } from "./options";

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");
loopback.addSubnet("::ffff:127.0.0.0", 104, "ipv6");

/** Only literal loopback addresses and `localhost` count; any other name may resolve to a public interface. */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  const family = isIP(host);
  return family !== 0 && loopback.check(host, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Refuses a non-loopback address without TLS and a bearer token, naming what is missing, and metrics anywhere but on
 * loopback (they are plain HTTP, without the token).
 */
export function checkExposure(options: Pick<DaemonOptions, "listen" | "tls" | "token" | "metrics">): void {
  if (options.metrics !== undefined && !isLoopbackHost(options.metrics.host)) {
    throw new UsageError(`--metrics: ${formatListenAddress(options.metrics)} is not a loopback address; metrics are served on loopback only (e.g. 127.0.0.1:9464)`);
  }
  if (isLoopbackHost(options.listen.host)) return;
  const missing: string[] = [];
  if (options.tls === undefined) missing.push("TLS (--tls-cert and --tls-key)");
  if (options.token === undefined) missing.push(`a bearer token (--token or ${TOKEN_ENV})`);
  if (missing.length > 0) {
    throw new UsageError(
      `refusing to listen on ${formatListenAddress(options.listen)}: a non-loopback address needs ${missing.join(" and ")}`,
    );
  }
}
