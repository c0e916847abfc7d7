// Package mercury drives ThingMagic/JADAK Mercury embedded UHF modules (M6e,
// M6e Nano, M7e Hecto) over their binary serial protocol: the module on the
// SparkFun "Simultaneous RFID Reader" boards and many Raspberry Pi HATs and
// USB readers.
//
// Frames are FF | length | opcode | [status] | data | CRC-16 (see CRC for the
// module's variant). Reader sets region, Gen2 protocol, antennas, read power
// and read filter off, then starts continuous reading (opcode 0x2F wrapping
// 0x22): the module streams one record per tag read with read count, RSSI,
// antenna and timestamp, plus an empty "no tags found" frame per read cycle
// that doubles as a heartbeat. Garbage on the line is skipped (the decoder
// resynchronises on the next valid frame) and reported as a Fault status; a
// silent or vanished port ends the session and Run reopens it with back-off.
//
// Reads carry the host time as FirstSeen: the module's timestamp is relative
// to its read cycle, not a clock. TID is not read (EPC only).
package mercury
