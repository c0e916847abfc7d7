// Plays a fixed RFID reader whose every message is encoded by llrpjs (an
// LLRP implementation that is not ours), for our client: used by
// TestClientAgainstIndependentReader (drivers/rfid/llrp). It listens on a
// free port of 127.0.0.1 and prints {"listening": port}, then one JSON line
// per message it receives. Like a commercial reader it sends the
// ConnectionAttemptEvent first, answers every request, and once a ROSpec is
// started sends reports of two tags (the first with a vendor Custom
// parameter), keepalives, and an antenna event nobody asked for.
// Usage: node reader.js
"use strict";
const net = require("net");
const { LLRPCore, LLRPMessage } = require("llrpjs");

const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const ok = { StatusCode: "M_Success", ErrorDescription: "" };
const IMPINJ = 25882;

const capabilities = {
  LLRPStatus: ok,
  GeneralDeviceCapabilities: {
    MaxNumberOfAntennaSupported: 4, CanSetAntennaProperties: false, HasUTCClockCapability: true,
    DeviceManufacturerName: IMPINJ, ModelName: 2001002, ReaderFirmwareVersion: "7.6.0.240",
    ReceiveSensitivityTableEntry: [{ Index: 1, ReceiveSensitivityValue: 0 }],
    GPIOCapabilities: { NumGPIs: 4, NumGPOs: 4 },
    PerAntennaAirProtocol: [1, 2, 3, 4].map((a) => ({ AntennaID: a, ProtocolID: ["EPCGlobalClass1Gen2"] })),
  },
  LLRPCapabilities: {
    CanDoRFSurvey: false, CanReportBufferFillWarning: true, SupportsClientRequestOpSpec: false,
    CanDoTagInventoryStateAwareSingulation: true, SupportsEventAndReportHolding: true,
    MaxNumPriorityLevelsSupported: 1, ClientRequestOpSpecTimeout: 0, MaxNumROSpecs: 1, MaxNumSpecsPerROSpec: 32,
    MaxNumInventoryParameterSpecsPerAISpec: 1, MaxNumAccessSpecs: 1508, MaxNumOpSpecsPerAccessSpec: 8,
  },
};

const tags = [
  { epc: "3074257BF7194E4000001A85", antenna: 2, rssi: -55 },
  { epc: "3074257BF7194E4000001A86", antenna: 4, rssi: -48 },
];

const server = net.createServer((sock) => {
  let buf = Buffer.alloc(0);
  let nextID = 1;
  const timers = [];
  const send = (type, id, data) => {
    if (sock.writable) sock.write(new LLRPCore[type]({ id, data }).encode().getBuffer());
  };
  const event = (data) => send("READER_EVENT_NOTIFICATION", nextID++, {
    ReaderEventNotificationData: { UTCTimestamp: { Microseconds: new Date() }, ...data },
  });
  const report = () => send("RO_ACCESS_REPORT", nextID++, {
    TagReportData: tags.map((t, i) => ({
      EPC_96: { EPC: t.epc },
      ROSpecID: { ROSpecID: 1 },
      AntennaID: { AntennaID: t.antenna },
      PeakRSSI: { PeakRSSI: t.rssi },
      FirstSeenTimestampUTC: { Microseconds: new Date() },
      ...(i === 0 ? { Custom: { VendorIdentifier: IMPINJ, ParameterSubtype: 56, Data: "FF9C" } } : {}),
    })),
  });
  event({ ConnectionAttemptEvent: { Status: "Success" } });

  const handle = (m) => {
    const d = m.toLLRPData();
    out({ got: d.type });
    switch (d.type) {
      case "GET_READER_CAPABILITIES":
        send("GET_READER_CAPABILITIES_RESPONSE", d.id, capabilities);
        break;
      case "START_ROSPEC":
        send("START_ROSPEC_RESPONSE", d.id, { LLRPStatus: ok });
        timers.push(setInterval(report, 50));
        timers.push(setInterval(() => send("KEEPALIVE", nextID++, {}), 120));
        setTimeout(() => event({ AntennaEvent: { EventType: "Disconnected", AntennaID: 3 } }), 200);
        break;
      case "KEEPALIVE_ACK":
      case "ENABLE_EVENTS_AND_REPORTS":
        break;
      case "CLOSE_CONNECTION":
        send("CLOSE_CONNECTION_RESPONSE", d.id, { LLRPStatus: ok });
        sock.end();
        break;
      default:
        if (LLRPCore[d.type + "_RESPONSE"]) send(d.type + "_RESPONSE", d.id, { LLRPStatus: ok });
    }
  };
  sock.on("data", (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 10) {
      const n = buf.readUInt32BE(2);
      if (buf.length < n) break;
      try {
        handle(new LLRPMessage(buf.subarray(0, n)).decode());
      } catch (e) {
        out({ failed: String((e && e.stack) || e) });
      }
      buf = buf.subarray(n);
    }
  });
  const stop = () => timers.forEach(clearInterval);
  sock.on("close", stop);
  sock.on("error", stop);
});
server.listen(0, "127.0.0.1", () => out({ listening: server.address().port }));
