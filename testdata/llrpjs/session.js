// An inventory session against a reader, with every message encoded and
// decoded by llrpjs (an LLRP implementation that is not ours): used by
// TestIndependentClientSession. It prints one JSON line per response,
// report and event, and exits 1 on any failure. The TCP framing is done
// here: llrpjs 1.0.1's client decodes one message per TCP read and its
// transact loops on the first message when a report comes before the
// response, so it stalls on any reader that sends reports while it waits.
// Usage: node session.js HOST PORT
"use strict";
const net = require("net");
const { LLRPCore, LLRPMessage } = require("llrpjs");

const [host, port] = [process.argv[2], Number(process.argv[3])];
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

// Conn is one LLRP connection: reports and keepalives are handled as they
// come; anything else waits in a queue for next().
class Conn {
  constructor(onAsync) {
    this.buf = Buffer.alloc(0);
    this.queue = [];
    this.waiter = null;
    this.onAsync = onAsync;
    this.lastID = 1000;
  }
  connect() {
    return new Promise((resolve, reject) => {
      this.sock = net.connect({ host, port }, resolve);
      this.sock.on("error", reject);
      this.sock.on("data", (d) => this.onData(d));
    });
  }
  onData(d) {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 10) {
      const n = this.buf.readUInt32BE(2);
      if (n < 10) throw new Error(`message length ${n}`);
      if (this.buf.length < n) break;
      const msg = new LLRPMessage(this.buf.subarray(0, n)).decode();
      this.buf = this.buf.subarray(n);
      if (this.onAsync && this.onAsync(msg, this)) continue;
      this.queue.push(msg);
      if (this.waiter) this.waiter();
    }
  }
  async next(timeout = 5000) {
    const deadline = Date.now() + timeout;
    while (this.queue.length === 0) {
      if (Date.now() > deadline) throw new Error("no message within " + timeout + " ms");
      await new Promise((r) => { this.waiter = r; setTimeout(r, 50); });
    }
    return this.queue.shift();
  }
  send(msg) {
    this.sock.write(msg.encode().getBuffer());
  }
  async transact(msg) {
    const sent = msg.toLLRPData();
    const want = sent.type + "_RESPONSE";
    this.send(msg);
    for (;;) {
      const rsp = await this.next();
      const d = rsp.toLLRPData();
      if (d.type === want && d.id === sent.id) return rsp;
      if (d.type === "ERROR_MESSAGE") return rsp;
      out({ unexpected: d.type, data: d.data });
    }
  }
  close() { this.sock.destroy(); }
}

const ROSPEC_ID = 123;
const addROSpec = {
  ROSpec: {
    ROSpecID: ROSPEC_ID, Priority: 1, CurrentState: "Disabled",
    ROBoundarySpec: {
      ROSpecStartTrigger: { ROSpecStartTriggerType: "Immediate" },
      ROSpecStopTrigger: { ROSpecStopTriggerType: "Null", DurationTriggerValue: 0 },
    },
    AISpec: {
      AntennaIDs: [0], // all antennas
      AISpecStopTrigger: { AISpecStopTriggerType: "Null", DurationTrigger: 0 },
      InventoryParameterSpec: { InventoryParameterSpecID: 1234, ProtocolID: "EPCGlobalClass1Gen2" },
    },
    ROReportSpec: {
      ROReportTrigger: "Upon_N_Tags_Or_End_Of_AISpec", N: 1,
      TagReportContentSelector: {
        EnableROSpecID: true, EnableSpecIndex: false, EnableInventoryParameterSpecID: false,
        EnableAntennaID: true, EnableChannelIndex: false, EnablePeakRSSI: true,
        EnableFirstSeenTimestamp: true, EnableLastSeenTimestamp: true, EnableTagSeenCount: true,
        EnableAccessSpecID: false,
      },
    },
  },
};


function onAsync(msg, conn) {
  const d = msg.toLLRPData();
  if (d.type === "KEEPALIVE") {
    out({ keepalive: true });
    conn.send(new LLRPCore.KEEPALIVE_ACK({ id: d.id }));
    return true;
  }
  if (d.type === "READER_EVENT_NOTIFICATION" && conn.greeted) {
    const ev = d.data.ReaderEventNotificationData;
    out({ event: Object.keys(ev).filter((k) => k !== "UTCTimestamp"), connection: ev.ConnectionAttemptEvent && ev.ConnectionAttemptEvent.Status });
    return true;
  }
  if (d.type !== "RO_ACCESS_REPORT") return false;
  let list = d.data.TagReportData || [];
  if (!Array.isArray(list)) list = [list];
  for (const t of list) {
    const epc = t.EPC_96 ? t.EPC_96.EPC : t.EPCData.EPC;
    out({ tag: epc, antenna: t.AntennaID && t.AntennaID.AntennaID, rssi: t.PeakRSSI && t.PeakRSSI.PeakRSSI,
      rospec: t.ROSpecID && t.ROSpecID.ROSpecID });
  }
  return true;
}

const reader = new Conn(onAsync);

// step sends one request (llrpjs's class of that name) and prints what
// the response says.
async function step(name, type, data) {
  const rsp = await reader.transact(new LLRPCore[type]({ id: ++reader.lastID, data }));
  const d = rsp.toLLRPData().data || {};
  const st = d.LLRPStatus || {};
  out({ step: name, response: rsp.getName(), status: st.StatusCode, description: st.ErrorDescription,
    params: Object.keys(d).filter((k) => k !== "LLRPStatus") });
  return rsp;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  await reader.connect();
  const first = await reader.next(7000);
  const ev = first.toLLRPData().data.ReaderEventNotificationData;
  out({ first: first.getName(), connection: ev.ConnectionAttemptEvent && ev.ConnectionAttemptEvent.Status });
  reader.greeted = true; // later events are printed as they come

  // A second client while this one holds the reader.
  const other = new Conn(null);
  await other.connect();
  const refused = (await other.next(7000)).toLLRPData().data.ReaderEventNotificationData;
  out({ second: refused.ConnectionAttemptEvent && refused.ConnectionAttemptEvent.Status });
  other.close();

  await step("capabilities", "GET_READER_CAPABILITIES", { RequestedData: "All" });
  await step("get-config", "GET_READER_CONFIG", { AntennaID: 0, RequestedData: "All", GPIPortNum: 0, GPOPortNum: 0 });
  await step("factory-defaults", "SET_READER_CONFIG", { ResetToFactoryDefault: true });
  await step("keepalive", "SET_READER_CONFIG", {
    ResetToFactoryDefault: false, KeepaliveSpec: { KeepaliveTriggerType: "Periodic", PeriodicTriggerValue: 200 },
  });
  await step("delete-rospecs", "DELETE_ROSPEC", { ROSpecID: 0 });
  await step("delete-accessspecs", "DELETE_ACCESSSPEC", { AccessSpecID: 0 });
  await step("add-rospec", "ADD_ROSPEC", addROSpec);
  await step("get-rospecs", "GET_ROSPECS");
  // Immediate start trigger: enabling starts it, without START_ROSPEC.
  await step("enable-rospec", "ENABLE_ROSPEC", { ROSpecID: ROSPEC_ID });
  // No response in LLRP: nothing may come back for it (transact would
  // print it as unexpected).
  reader.send(new LLRPCore.ENABLE_EVENTS_AND_REPORTS({ id: ++reader.lastID }));
  await sleep(1000);
  await step("stop-rospec", "STOP_ROSPEC", { ROSpecID: ROSPEC_ID });
  await step("disable-rospec", "DISABLE_ROSPEC", { ROSpecID: ROSPEC_ID });
  await step("delete-rospec", "DELETE_ROSPEC", { ROSpecID: ROSPEC_ID });
  await step("start-deleted", "START_ROSPEC", { ROSpecID: ROSPEC_ID });
  await step("close", "CLOSE_CONNECTION");
  reader.close();
  out({ done: true });
  process.exit(0);
})().catch((e) => {
  out({ failed: String((e && e.stack) || e) });
  process.exit(1);
});
