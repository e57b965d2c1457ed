// viem (pinned in tools/package.json) against a devnet: deploy, transact, read logs, then watch events.
//
//   node viem_client.mjs            with env DEVNET_URL, CHAIN_ID, PRIVATE_KEY, ARTIFACT (a JSON file
//                                   with "abi" and "bytecode"), TOOLS (the tools/ directory)
//
// Writes one JSON object a line on stdout: {"step": "deployed" | "read" | "watching" | "watched" |
// "rpc" | "error", ...}. Watches Bumped events with viem's polling filter (watchContractEvent over
// HTTP: eth_newFilter, then eth_getFilterChanges every 100 ms) until stdin closes, then exits 0.
// "rpc" lines name each JSON-RPC method viem sends, so the caller can tell when the watcher polls.
// Any unexpected failure exits 1 with its message on stderr.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const env = (name) => process.env[name] ?? fail(`${name} is not set`);
const require = createRequire(join(env("TOOLS"), "package.json"));
const { createPublicClient, createWalletClient, defineChain, http } = require("viem");
const { privateKeyToAccount } = require("viem/accounts");

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

function say(step, fields = {}) {
  process.stdout.write(JSON.stringify({ step, ...fields }, (_, v) => (typeof v === "bigint" ? v.toString() : v)) + "\n");
}

async function methodsOf(request) {
  const body = await request.clone().json();
  return (Array.isArray(body) ? body : [body]).map((call) => call.method);
}

function clients(url, chainId, key) {
  const chain = defineChain({
    id: chainId,
    name: "credtrace devnet",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  const onFetchRequest = async (request) => {
    for (const method of await methodsOf(request)) say("rpc", { method });
  };
  const transport = http(url, { onFetchRequest });
  const account = privateKeyToAccount(key);
  return {
    reader: createPublicClient({ chain, transport, pollingInterval: 100 }),
    writer: createWalletClient({ chain, transport, account }),
  };
}

async function deployAndTransact({ reader, writer }, artifact) {
  const deploy = await writer.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode });
  const { contractAddress, status } = await reader.waitForTransactionReceipt({ hash: deploy });
  if (status !== "success") fail(`deployment ${deploy} reverted`);
  say("deployed", { address: contractAddress });
  const tag = `0x${"a1".repeat(32)}`;
  const bump = await writer.writeContract({ address: contractAddress, abi: artifact.abi, functionName: "bump", args: [tag] });
  const receipt = await reader.waitForTransactionReceipt({ hash: bump });
  if (receipt.status !== "success") fail(`bump ${bump} reverted`);
  return { address: contractAddress, bump };
}

async function readLogs({ reader }, artifact, address, bump) {
  const event = artifact.abi.find((item) => item.type === "event" && item.name === "Bumped");
  const logs = await reader.getLogs({ address, event, fromBlock: 0n });
  const events = await reader.getContractEvents({ address, abi: artifact.abi, eventName: "Bumped", fromBlock: 0n });
  const count = await reader.readContract({ address, abi: artifact.abi, functionName: "count" });
  say("read", {
    count,
    logs: logs.map((log) => ({ tx: log.transactionHash, tag: log.args.tag, count: log.args.count })),
    events: events.map((log) => ({ tx: log.transactionHash, tag: log.args.tag, count: log.args.count })),
    bump,
  });
}

function watch({ reader }, artifact, address) {
  return reader.watchContractEvent({
    address,
    abi: artifact.abi,
    eventName: "Bumped",
    poll: true,
    pollingInterval: 100,
    onLogs: (logs) => logs.forEach((log) => say("watched", { tag: log.args.tag, block: log.blockNumber })),
    onError: (error) => say("error", { name: error.name, code: error.code ?? null, message: error.shortMessage ?? error.message }),
  });
}

async function main() {
  const artifact = JSON.parse(readFileSync(env("ARTIFACT"), "utf8"));
  const both = clients(env("DEVNET_URL"), Number(env("CHAIN_ID")), env("PRIVATE_KEY"));
  const { address, bump } = await deployAndTransact(both, artifact);
  await readLogs(both, artifact, address, bump);
  const unwatch = watch(both, artifact, address);
  say("watching", { address });
  process.stdin.on("end", () => {
    unwatch();
    process.exit(0);
  });
}

process.stdin.on("end", () => process.exit(0)); // the caller is done, whatever step this is
process.stdin.resume();

main().catch((error) => fail(error.stack ?? String(error)));
