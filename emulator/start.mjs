// Starts one fauxqs SQS server on loopback and prints {"port":N} on stdout once it listens.
// Usage: node start.mjs [--port N] [--region R] [--data-dir DIR] [--exit-with-parent]
// --port 0 (the default) picks a free port. --data-dir turns on SQLite persistence, so a
// server killed with SIGKILL and restarted on the same directory keeps its queues and messages
// (how the tests and the demo simulate a regional outage). --exit-with-parent: exit when the
// process that started this one is gone (a test binary that crashed leaves no server behind).
import net from "node:net";
import { parseArgs } from "node:util";

// fauxqs listens on 0.0.0.0 whatever host it is given; tests send traffic only to loopback,
// so every wildcard listen in this process is turned into a 127.0.0.1 one.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const wildcard = (h) => h === undefined || h === null || h === "" || h === "0.0.0.0" || h === "::";
  if (args.length && typeof args[0] === "object" && args[0] !== null && args[0].path === undefined) {
    if (wildcard(args[0].host)) args[0] = { ...args[0], host: "127.0.0.1", ipv6Only: false };
  } else if (typeof args[0] === "number" || /^\d+$/.test(String(args[0]))) {
    if (typeof args[1] === "string") {
      if (wildcard(args[1])) args[1] = "127.0.0.1";
    } else {
      args.splice(1, 0, "127.0.0.1");
    }
  }
  return listen.apply(this, args);
};
const { startFauxqs } = await import("fauxqs");

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    region: { type: "string", default: "us-east-1" },
    "data-dir": { type: "string" },
    "exit-with-parent": { type: "boolean", default: false },
  },
});

const server = await startFauxqs({
  port: Number(values.port),
  host: "127.0.0.1",
  defaultRegion: values.region,
  logger: false,
  ...(values["data-dir"] ? { dataDir: values["data-dir"] } : {}),
});
process.stdout.write(JSON.stringify({ port: server.port, region: values.region }) + "\n");

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
if (values["exit-with-parent"]) {
  // Orphans are re-parented: a changed ppid means the parent died.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 500).unref();
}
process.on("SIGINT", stop);
