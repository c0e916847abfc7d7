package llrp

// The LLRP data model: every message and parameter of LLRP 1.0.1 with its
// type number, field layout and allowed sub-parameters, as the standard's
// binary encoding chapter gives them (EPCglobal LLRP 1.0.1 §16.1 messages,
// §16.2 parameters, §16.3 C1G2 parameters; the section of each entry is in
// the table), plus the LLRP 1.1 additions in §17 of that version (version
// negotiation messages, the C1G2 XPC words). The codec (codec.go) encodes,
// decodes and validates against these tables only, so they are the single
// place where the standard's layouts live.

// ParamType is a parameter type: 1..127 TV-encoded, 128..1023 TLV-encoded
// (§16.2, TV and TLV parameter encoding).
type ParamType uint16

// kind is the encoding of one field (§16 field types: uN are unsigned
// N-bit integers, sN signed, uNv a 16-bit element count followed by the
// elements, u1v a 16-bit bit count followed by the bits padded to whole
// bytes, utf8v a 16-bit byte count followed by UTF-8, bytesToEnd the rest of
// the parameter).
type kind uint8

const (
	kU1 kind = iota + 1
	kU2
	kU8
	kU16
	kU32
	kU64
	kS8
	kS16
	kU96
	kU8v
	kU16v
	kU32v
	kU1v
	kUTF8v
	kBytesToEnd
	kReserved
)

// bits is the width of the fixed-size kinds; 0 for the variable ones.
func (k kind) bits() int {
	switch k {
	case kU1:
		return 1
	case kU2:
		return 2
	case kU8, kS8:
		return 8
	case kU16, kS16:
		return 16
	case kU32:
		return 32
	case kU64:
		return 64
	case kU96:
		return 96
	}
	return 0
}

type fieldDef struct {
	name string
	kind kind
	rsv  int // width of a reserved field
}

// subDef is one entry of a parameter's list of sub-parameters: one of types,
// between min and max times (max < 0: no limit), in the listed order.
type subDef struct {
	types    []ParamType
	min, max int
}

type def struct {
	typ     uint16 // ParamType or MessageType
	name    string // as in the standard
	section string // binary encoding section
	fields  []fieldDef
	subs    []subDef
}

const many = -1

func u1(n string) fieldDef         { return fieldDef{name: n, kind: kU1} }
func u2(n string) fieldDef         { return fieldDef{name: n, kind: kU2} }
func u8(n string) fieldDef         { return fieldDef{name: n, kind: kU8} }
func u16(n string) fieldDef        { return fieldDef{name: n, kind: kU16} }
func u32(n string) fieldDef        { return fieldDef{name: n, kind: kU32} }
func u64(n string) fieldDef        { return fieldDef{name: n, kind: kU64} }
func s8(n string) fieldDef         { return fieldDef{name: n, kind: kS8} }
func s16(n string) fieldDef        { return fieldDef{name: n, kind: kS16} }
func u96(n string) fieldDef        { return fieldDef{name: n, kind: kU96} }
func u8v(n string) fieldDef        { return fieldDef{name: n, kind: kU8v} }
func u16v(n string) fieldDef       { return fieldDef{name: n, kind: kU16v} }
func u32v(n string) fieldDef       { return fieldDef{name: n, kind: kU32v} }
func u1v(n string) fieldDef        { return fieldDef{name: n, kind: kU1v} }
func utf8v(n string) fieldDef      { return fieldDef{name: n, kind: kUTF8v} }
func bytesToEnd(n string) fieldDef { return fieldDef{name: n, kind: kBytesToEnd} }
func rsv(bits int) fieldDef        { return fieldDef{kind: kReserved, rsv: bits} }

func fs(f ...fieldDef) []fieldDef { return f }
func subs(s ...subDef) []subDef   { return s }
func sub(min, max int, types ...ParamType) subDef {
	return subDef{types: types, min: min, max: max}
}

// Parameter types (§16.2, §16.3; 19 and 20 from LLRP 1.1).
const (
	PAntennaID                                   ParamType = 1
	PFirstSeenTimestampUTC                       ParamType = 2
	PFirstSeenTimestampUptime                    ParamType = 3
	PLastSeenTimestampUTC                        ParamType = 4
	PLastSeenTimestampUptime                     ParamType = 5
	PPeakRSSI                                    ParamType = 6
	PChannelIndex                                ParamType = 7
	PTagSeenCount                                ParamType = 8
	PROSpecID                                    ParamType = 9
	PInventoryParameterSpecID                    ParamType = 10
	PC1G2CRC                                     ParamType = 11
	PC1G2PC                                      ParamType = 12
	PEPC96                                       ParamType = 13
	PSpecIndex                                   ParamType = 14
	PAccessSpecID                                ParamType = 16
	POpSpecID                                    ParamType = 17
	PC1G2SingulationDetails                      ParamType = 18
	PC1G2XPCW1                                   ParamType = 19
	PC1G2XPCW2                                   ParamType = 20
	PUTCTimestamp                                ParamType = 128
	PUptime                                      ParamType = 129
	PGeneralDeviceCapabilities                   ParamType = 137
	PReceiveSensitivityTableEntry                ParamType = 139
	PPerAntennaAirProtocol                       ParamType = 140
	PGPIOCapabilities                            ParamType = 141
	PLLRPCapabilities                            ParamType = 142
	PRegulatoryCapabilities                      ParamType = 143
	PUHFBandCapabilities                         ParamType = 144
	PTransmitPowerLevelTableEntry                ParamType = 145
	PFrequencyInformation                        ParamType = 146
	PFrequencyHopTable                           ParamType = 147
	PFixedFrequencyTable                         ParamType = 148
	PPerAntennaReceiveSensitivityRange           ParamType = 149
	PROSpec                                      ParamType = 177
	PROBoundarySpec                              ParamType = 178
	PROSpecStartTrigger                          ParamType = 179
	PPeriodicTriggerValue                        ParamType = 180
	PGPITriggerValue                             ParamType = 181
	PROSpecStopTrigger                           ParamType = 182
	PAISpec                                      ParamType = 183
	PAISpecStopTrigger                           ParamType = 184
	PTagObservationTrigger                       ParamType = 185
	PInventoryParameterSpec                      ParamType = 186
	PRFSurveySpec                                ParamType = 187
	PRFSurveySpecStopTrigger                     ParamType = 188
	PAccessSpec                                  ParamType = 207
	PAccessSpecStopTrigger                       ParamType = 208
	PAccessCommand                               ParamType = 209
	PLLRPConfigurationStateValue                 ParamType = 217
	PIdentification                              ParamType = 218
	PGPOWriteData                                ParamType = 219
	PKeepaliveSpec                               ParamType = 220
	PAntennaProperties                           ParamType = 221
	PAntennaConfiguration                        ParamType = 222
	PRFReceiver                                  ParamType = 223
	PRFTransmitter                               ParamType = 224
	PGPIPortCurrentState                         ParamType = 225
	PEventsAndReports                            ParamType = 226
	PROReportSpec                                ParamType = 237
	PTagReportContentSelector                    ParamType = 238
	PAccessReportSpec                            ParamType = 239
	PTagReportData                               ParamType = 240
	PEPCData                                     ParamType = 241
	PRFSurveyReportData                          ParamType = 242
	PFrequencyRSSILevelEntry                     ParamType = 243
	PReaderEventNotificationSpec                 ParamType = 244
	PEventNotificationState                      ParamType = 245
	PReaderEventNotificationData                 ParamType = 246
	PHoppingEvent                                ParamType = 247
	PGPIEvent                                    ParamType = 248
	PROSpecEvent                                 ParamType = 249
	PReportBufferLevelWarningEvent               ParamType = 250
	PReportBufferOverflowErrorEvent              ParamType = 251
	PReaderExceptionEvent                        ParamType = 252
	PRFSurveyEvent                               ParamType = 253
	PAISpecEvent                                 ParamType = 254
	PAntennaEvent                                ParamType = 255
	PConnectionAttemptEvent                      ParamType = 256
	PConnectionCloseEvent                        ParamType = 257
	PLLRPStatus                                  ParamType = 287
	PFieldError                                  ParamType = 288
	PParameterError                              ParamType = 289
	PC1G2LLRPCapabilities                        ParamType = 327
	PC1G2UHFRFModeTable                          ParamType = 328
	PC1G2UHFRFModeTableEntry                     ParamType = 329
	PC1G2InventoryCommand                        ParamType = 330
	PC1G2Filter                                  ParamType = 331
	PC1G2TagInventoryMask                        ParamType = 332
	PC1G2TagInventoryStateAwareFilterAction      ParamType = 333
	PC1G2TagInventoryStateUnawareFilterAction    ParamType = 334
	PC1G2RFControl                               ParamType = 335
	PC1G2SingulationControl                      ParamType = 336
	PC1G2TagInventoryStateAwareSingulationAction ParamType = 337
	PC1G2TagSpec                                 ParamType = 338
	PC1G2TargetTag                               ParamType = 339
	PC1G2Read                                    ParamType = 341
	PC1G2Write                                   ParamType = 342
	PC1G2Kill                                    ParamType = 343
	PC1G2Lock                                    ParamType = 344
	PC1G2LockPayload                             ParamType = 345
	PC1G2BlockErase                              ParamType = 346
	PC1G2BlockWrite                              ParamType = 347
	PC1G2EPCMemorySelector                       ParamType = 348
	PC1G2ReadOpSpecResult                        ParamType = 349
	PC1G2WriteOpSpecResult                       ParamType = 350
	PC1G2KillOpSpecResult                        ParamType = 351
	PC1G2LockOpSpecResult                        ParamType = 352
	PC1G2BlockEraseOpSpecResult                  ParamType = 353
	PC1G2BlockWriteOpSpecResult                  ParamType = 354
	PCustom                                      ParamType = 1023
)

// Message types (§16.1; 46, 47, 56, 57 from LLRP 1.1 §17.1).
const (
	GetReaderCapabilities         MessageType = 1
	GetReaderConfig               MessageType = 2
	SetReaderConfig               MessageType = 3
	CloseConnectionResponse       MessageType = 4
	GetReaderCapabilitiesResponse MessageType = 11
	GetReaderConfigResponse       MessageType = 12
	SetReaderConfigResponse       MessageType = 13
	CloseConnection               MessageType = 14
	AddROSpec                     MessageType = 20
	DeleteROSpec                  MessageType = 21
	StartROSpec                   MessageType = 22
	StopROSpec                    MessageType = 23
	EnableROSpec                  MessageType = 24
	DisableROSpec                 MessageType = 25
	GetROSpecs                    MessageType = 26
	AddROSpecResponse             MessageType = 30
	DeleteROSpecResponse          MessageType = 31
	StartROSpecResponse           MessageType = 32
	StopROSpecResponse            MessageType = 33
	EnableROSpecResponse          MessageType = 34
	DisableROSpecResponse         MessageType = 35
	GetROSpecsResponse            MessageType = 36
	GetSupportedVersion           MessageType = 46
	SetProtocolVersion            MessageType = 47
	AddAccessSpec                 MessageType = 40
	DeleteAccessSpec              MessageType = 41
	EnableAccessSpec              MessageType = 42
	DisableAccessSpec             MessageType = 43
	GetAccessSpecs                MessageType = 44
	AddAccessSpecResponse         MessageType = 50
	DeleteAccessSpecResponse      MessageType = 51
	EnableAccessSpecResponse      MessageType = 52
	DisableAccessSpecResponse     MessageType = 53
	GetAccessSpecsResponse        MessageType = 54
	GetSupportedVersionResponse   MessageType = 56
	SetProtocolVersionResponse    MessageType = 57
	GetReport                     MessageType = 60
	ROAccessReport                MessageType = 61
	Keepalive                     MessageType = 62
	ReaderEventNotification       MessageType = 63
	EnableEventsAndReports        MessageType = 64
	KeepaliveAck                  MessageType = 72
	ErrorMessage                  MessageType = 100
	CustomMessage                 MessageType = 1023
)

// paramDefs is the parameter table.
var paramDefs = []*def{
	{typ: uint16(PUTCTimestamp), name: "UTCTimestamp", section: "§16.2.2.1", fields: fs(u64("Microseconds")), subs: subs()},
	{typ: uint16(PUptime), name: "Uptime", section: "§16.2.2.2", fields: fs(u64("Microseconds")), subs: subs()},
	{typ: uint16(PCustom), name: "Custom", section: "§16.2.9", fields: fs(u32("VendorIdentifier"), u32("ParameterSubtype"), bytesToEnd("Data")), subs: subs()},
	{typ: uint16(PGeneralDeviceCapabilities), name: "GeneralDeviceCapabilities", section: "§16.2.3.1", fields: fs(u16("MaxNumberOfAntennaSupported"), u1("CanSetAntennaProperties"), u1("HasUTCClockCapability"), rsv(14), u32("DeviceManufacturerName"), u32("ModelName"), utf8v("ReaderFirmwareVersion")), subs: subs(sub(1, many, PReceiveSensitivityTableEntry), sub(0, many, PPerAntennaReceiveSensitivityRange), sub(1, 1, PGPIOCapabilities), sub(1, many, PPerAntennaAirProtocol))},
	{typ: uint16(PReceiveSensitivityTableEntry), name: "ReceiveSensitivityTableEntry", section: "§16.2.3.1.1", fields: fs(u16("Index"), s16("ReceiveSensitivityValue")), subs: subs()},
	{typ: uint16(PPerAntennaReceiveSensitivityRange), name: "PerAntennaReceiveSensitivityRange", section: "§16.2.3.1.2", fields: fs(u16("AntennaID"), u16("ReceiveSensitivityIndexMin"), u16("ReceiveSensitivityIndexMax")), subs: subs()},
	{typ: uint16(PPerAntennaAirProtocol), name: "PerAntennaAirProtocol", section: "§16.2.3.1.3", fields: fs(u16("AntennaID"), u8v("ProtocolID")), subs: subs()},
	{typ: uint16(PGPIOCapabilities), name: "GPIOCapabilities", section: "§16.2.3.1.4", fields: fs(u16("NumGPIs"), u16("NumGPOs")), subs: subs()},
	{typ: uint16(PLLRPCapabilities), name: "LLRPCapabilities", section: "§16.2.3.2", fields: fs(u1("CanDoRFSurvey"), u1("CanReportBufferFillWarning"), u1("SupportsClientRequestOpSpec"), u1("CanDoTagInventoryStateAwareSingulation"), u1("SupportsEventAndReportHolding"), rsv(3), u8("MaxNumPriorityLevelsSupported"), u16("ClientRequestOpSpecTimeout"), u32("MaxNumROSpecs"), u32("MaxNumSpecsPerROSpec"), u32("MaxNumInventoryParameterSpecsPerAISpec"), u32("MaxNumAccessSpecs"), u32("MaxNumOpSpecsPerAccessSpec")), subs: subs()},
	{typ: uint16(PRegulatoryCapabilities), name: "RegulatoryCapabilities", section: "§16.2.3.4", fields: fs(u16("CountryCode"), u16("CommunicationsStandard")), subs: subs(sub(0, 1, PUHFBandCapabilities), sub(0, many, PCustom))},
	{typ: uint16(PUHFBandCapabilities), name: "UHFBandCapabilities", section: "§16.2.3.4.1", fields: fs(), subs: subs(sub(1, many, PTransmitPowerLevelTableEntry), sub(1, 1, PFrequencyInformation), sub(1, many, PC1G2UHFRFModeTable))},
	{typ: uint16(PTransmitPowerLevelTableEntry), name: "TransmitPowerLevelTableEntry", section: "§16.2.3.4.1.1", fields: fs(u16("Index"), s16("TransmitPowerValue")), subs: subs()},
	{typ: uint16(PFrequencyInformation), name: "FrequencyInformation", section: "§16.2.3.4.1.2", fields: fs(u1("Hopping"), rsv(7)), subs: subs(sub(0, many, PFrequencyHopTable), sub(0, 1, PFixedFrequencyTable))},
	{typ: uint16(PFrequencyHopTable), name: "FrequencyHopTable", section: "§16.2.3.4.1.2.1", fields: fs(u8("HopTableID"), rsv(8), u32v("Frequency")), subs: subs()},
	{typ: uint16(PFixedFrequencyTable), name: "FixedFrequencyTable", section: "§16.2.3.4.1.2.2", fields: fs(u32v("Frequency")), subs: subs()},
	{typ: uint16(PROSpec), name: "ROSpec", section: "§16.2.4.1", fields: fs(u32("ROSpecID"), u8("Priority"), u8("CurrentState")), subs: subs(sub(1, 1, PROBoundarySpec), sub(1, many, PAISpec, PRFSurveySpec, PCustom), sub(0, 1, PROReportSpec))},
	{typ: uint16(PROBoundarySpec), name: "ROBoundarySpec", section: "§16.2.4.1.1", fields: fs(), subs: subs(sub(1, 1, PROSpecStartTrigger), sub(1, 1, PROSpecStopTrigger))},
	{typ: uint16(PROSpecStartTrigger), name: "ROSpecStartTrigger", section: "§16.2.4.1.1.1", fields: fs(u8("ROSpecStartTriggerType")), subs: subs(sub(0, 1, PPeriodicTriggerValue), sub(0, 1, PGPITriggerValue))},
	{typ: uint16(PPeriodicTriggerValue), name: "PeriodicTriggerValue", section: "§16.2.4.1.1.1.1", fields: fs(u32("Offset"), u32("Period")), subs: subs(sub(0, 1, PUTCTimestamp))},
	{typ: uint16(PGPITriggerValue), name: "GPITriggerValue", section: "§16.2.4.1.1.1.2", fields: fs(u16("GPIPortNum"), u1("GPIEvent"), rsv(7), u32("Timeout")), subs: subs()},
	{typ: uint16(PROSpecStopTrigger), name: "ROSpecStopTrigger", section: "§16.2.4.1.1.2", fields: fs(u8("ROSpecStopTriggerType"), u32("DurationTriggerValue")), subs: subs(sub(0, 1, PGPITriggerValue))},
	{typ: uint16(PAISpec), name: "AISpec", section: "§16.2.4.2", fields: fs(u16v("AntennaIDs")), subs: subs(sub(1, 1, PAISpecStopTrigger), sub(1, many, PInventoryParameterSpec), sub(0, many, PCustom))},
	{typ: uint16(PAISpecStopTrigger), name: "AISpecStopTrigger", section: "§16.2.4.2.1", fields: fs(u8("AISpecStopTriggerType"), u32("DurationTrigger")), subs: subs(sub(0, 1, PGPITriggerValue), sub(0, 1, PTagObservationTrigger))},
	{typ: uint16(PTagObservationTrigger), name: "TagObservationTrigger", section: "§16.2.4.2.1.1", fields: fs(u8("TriggerType"), rsv(8), u16("NumberOfTags"), u16("NumberOfAttempts"), u16("T"), u32("Timeout")), subs: subs()},
	{typ: uint16(PInventoryParameterSpec), name: "InventoryParameterSpec", section: "§16.2.4.2.2", fields: fs(u16("InventoryParameterSpecID"), u8("ProtocolID")), subs: subs(sub(0, many, PAntennaConfiguration), sub(0, many, PCustom))},
	{typ: uint16(PRFSurveySpec), name: "RFSurveySpec", section: "§16.2.4.3", fields: fs(u16("AntennaID"), u32("StartFrequency"), u32("EndFrequency")), subs: subs(sub(1, 1, PRFSurveySpecStopTrigger), sub(0, many, PCustom))},
	{typ: uint16(PRFSurveySpecStopTrigger), name: "RFSurveySpecStopTrigger", section: "§16.2.4.3.1", fields: fs(u8("StopTriggerType"), u32("DurationPeriod"), u32("N")), subs: subs()},
	{typ: uint16(PAccessSpec), name: "AccessSpec", section: "§16.2.5.1", fields: fs(u32("AccessSpecID"), u16("AntennaID"), u8("ProtocolID"), u1("CurrentState"), rsv(7), u32("ROSpecID")), subs: subs(sub(1, 1, PAccessSpecStopTrigger), sub(1, 1, PAccessCommand), sub(0, 1, PAccessReportSpec), sub(0, many, PCustom))},
	{typ: uint16(PAccessSpecStopTrigger), name: "AccessSpecStopTrigger", section: "§16.2.5.1.1", fields: fs(u8("AccessSpecStopTrigger"), u16("OperationCountValue")), subs: subs()},
	{typ: uint16(PAccessCommand), name: "AccessCommand", section: "§16.2.5.1.2", fields: fs(), subs: subs(sub(1, 1, PC1G2TagSpec), sub(1, many, PC1G2Read, PC1G2Write, PC1G2Kill, PC1G2Lock, PC1G2BlockErase, PC1G2BlockWrite), sub(0, many, PCustom))},
	{typ: uint16(PLLRPConfigurationStateValue), name: "LLRPConfigurationStateValue", section: "§16.2.6.1", fields: fs(u32("LLRPConfigurationStateValue")), subs: subs()},
	{typ: uint16(PIdentification), name: "Identification", section: "§16.2.6.2", fields: fs(u8("IDType"), u8v("ReaderID")), subs: subs()},
	{typ: uint16(PGPOWriteData), name: "GPOWriteData", section: "§16.2.6.3", fields: fs(u16("GPOPortNumber"), u1("GPOData"), rsv(7)), subs: subs()},
	{typ: uint16(PKeepaliveSpec), name: "KeepaliveSpec", section: "§16.2.6.4", fields: fs(u8("KeepaliveTriggerType"), u32("PeriodicTriggerValue")), subs: subs()},
	{typ: uint16(PAntennaProperties), name: "AntennaProperties", section: "§16.2.6.5", fields: fs(u1("AntennaConnected"), rsv(7), u16("AntennaID"), s16("AntennaGain")), subs: subs()},
	{typ: uint16(PAntennaConfiguration), name: "AntennaConfiguration", section: "§16.2.6.6", fields: fs(u16("AntennaID")), subs: subs(sub(0, 1, PRFReceiver), sub(0, 1, PRFTransmitter), sub(0, many, PC1G2InventoryCommand))},
	{typ: uint16(PRFReceiver), name: "RFReceiver", section: "§16.2.6.7", fields: fs(u16("ReceiverSensitivity")), subs: subs()},
	{typ: uint16(PRFTransmitter), name: "RFTransmitter", section: "§16.2.6.8", fields: fs(u16("HopTableID"), u16("ChannelIndex"), u16("TransmitPower")), subs: subs()},
	{typ: uint16(PGPIPortCurrentState), name: "GPIPortCurrentState", section: "§16.2.6.9", fields: fs(u16("GPIPortNum"), u1("Config"), rsv(7), u8("State")), subs: subs()},
	{typ: uint16(PEventsAndReports), name: "EventsAndReports", section: "§16.2.6.10", fields: fs(u1("HoldEventsAndReportsUponReconnect"), rsv(7)), subs: subs()},
	{typ: uint16(PROReportSpec), name: "ROReportSpec", section: "§16.2.7.1", fields: fs(u8("ROReportTrigger"), u16("N")), subs: subs(sub(1, 1, PTagReportContentSelector), sub(0, many, PCustom))},
	{typ: uint16(PTagReportContentSelector), name: "TagReportContentSelector", section: "§16.2.7.1.1", fields: fs(u1("EnableROSpecID"), u1("EnableSpecIndex"), u1("EnableInventoryParameterSpecID"), u1("EnableAntennaID"), u1("EnableChannelIndex"), u1("EnablePeakRSSI"), u1("EnableFirstSeenTimestamp"), u1("EnableLastSeenTimestamp"), u1("EnableTagSeenCount"), u1("EnableAccessSpecID"), rsv(6)), subs: subs(sub(0, many, PC1G2EPCMemorySelector))},
	{typ: uint16(PAccessReportSpec), name: "AccessReportSpec", section: "§16.2.7.2", fields: fs(u8("AccessReportTrigger")), subs: subs()},
	{typ: uint16(PTagReportData), name: "TagReportData", section: "§16.2.7.3", fields: fs(), subs: subs(sub(1, 1, PEPCData, PEPC96), sub(0, 1, PROSpecID), sub(0, 1, PSpecIndex), sub(0, 1, PInventoryParameterSpecID), sub(0, 1, PAntennaID), sub(0, 1, PPeakRSSI), sub(0, 1, PChannelIndex), sub(0, 1, PFirstSeenTimestampUTC), sub(0, 1, PFirstSeenTimestampUptime), sub(0, 1, PLastSeenTimestampUTC), sub(0, 1, PLastSeenTimestampUptime), sub(0, 1, PTagSeenCount), sub(0, many, PC1G2PC, PC1G2XPCW1, PC1G2XPCW2, PC1G2CRC), sub(0, 1, PAccessSpecID), sub(0, many, PC1G2ReadOpSpecResult, PC1G2WriteOpSpecResult, PC1G2KillOpSpecResult, PC1G2LockOpSpecResult, PC1G2BlockEraseOpSpecResult, PC1G2BlockWriteOpSpecResult), sub(0, many, PCustom))},
	{typ: uint16(PEPCData), name: "EPCData", section: "§16.2.7.3.1", fields: fs(u1v("EPC")), subs: subs()},
	{typ: uint16(PEPC96), name: "EPC_96", section: "§16.2.7.3.2", fields: fs(u96("EPC")), subs: subs()},
	{typ: uint16(PROSpecID), name: "ROSpecID", section: "§16.2.7.3.3", fields: fs(u32("ROSpecID")), subs: subs()},
	{typ: uint16(PSpecIndex), name: "SpecIndex", section: "§16.2.7.3.4", fields: fs(u16("SpecIndex")), subs: subs()},
	{typ: uint16(PInventoryParameterSpecID), name: "InventoryParameterSpecID", section: "§16.2.7.3.5", fields: fs(u16("InventoryParameterSpecID")), subs: subs()},
	{typ: uint16(PAntennaID), name: "AntennaID", section: "§16.2.7.3.6", fields: fs(u16("AntennaID")), subs: subs()},
	{typ: uint16(PPeakRSSI), name: "PeakRSSI", section: "§16.2.7.3.7", fields: fs(s8("PeakRSSI")), subs: subs()},
	{typ: uint16(PChannelIndex), name: "ChannelIndex", section: "§16.2.7.3.8", fields: fs(u16("ChannelIndex")), subs: subs()},
	{typ: uint16(PFirstSeenTimestampUTC), name: "FirstSeenTimestampUTC", section: "§16.2.7.3.9", fields: fs(u64("Microseconds")), subs: subs()},
	{typ: uint16(PFirstSeenTimestampUptime), name: "FirstSeenTimestampUptime", section: "§16.2.7.3.10", fields: fs(u64("Microseconds")), subs: subs()},
	{typ: uint16(PLastSeenTimestampUTC), name: "LastSeenTimestampUTC", section: "§16.2.7.3.11", fields: fs(u64("Microseconds")), subs: subs()},
	{typ: uint16(PLastSeenTimestampUptime), name: "LastSeenTimestampUptime", section: "§16.2.7.3.12", fields: fs(u64("Microseconds")), subs: subs()},
	{typ: uint16(PTagSeenCount), name: "TagSeenCount", section: "§16.2.7.3.13", fields: fs(u16("TagCount")), subs: subs()},
	{typ: uint16(PAccessSpecID), name: "AccessSpecID", section: "§16.2.7.3.15", fields: fs(u32("AccessSpecID")), subs: subs()},
	{typ: uint16(PRFSurveyReportData), name: "RFSurveyReportData", section: "§16.2.7.4", fields: fs(), subs: subs(sub(0, 1, PROSpecID), sub(0, 1, PSpecIndex), sub(1, many, PFrequencyRSSILevelEntry), sub(0, many, PCustom))},
	{typ: uint16(PFrequencyRSSILevelEntry), name: "FrequencyRSSILevelEntry", section: "§16.2.7.4.1", fields: fs(u32("Frequency"), u32("Bandwidth"), s8("AverageRSSI"), s8("PeakRSSI")), subs: subs(sub(1, 1, PUTCTimestamp, PUptime))},
	{typ: uint16(PReaderEventNotificationSpec), name: "ReaderEventNotificationSpec", section: "§16.2.7.5", fields: fs(), subs: subs(sub(1, many, PEventNotificationState))},
	{typ: uint16(PEventNotificationState), name: "EventNotificationState", section: "§16.2.7.5.1", fields: fs(u16("EventType"), u1("NotificationState"), rsv(7)), subs: subs()},
	{typ: uint16(PReaderEventNotificationData), name: "ReaderEventNotificationData", section: "§16.2.7.6", fields: fs(), subs: subs(sub(1, 1, PUTCTimestamp, PUptime), sub(0, 1, PHoppingEvent), sub(0, 1, PGPIEvent), sub(0, 1, PROSpecEvent), sub(0, 1, PReportBufferLevelWarningEvent), sub(0, 1, PReportBufferOverflowErrorEvent), sub(0, 1, PReaderExceptionEvent), sub(0, 1, PRFSurveyEvent), sub(0, 1, PAISpecEvent), sub(0, 1, PAntennaEvent), sub(0, 1, PConnectionAttemptEvent), sub(0, 1, PConnectionCloseEvent), sub(0, many, PCustom))},
	{typ: uint16(PHoppingEvent), name: "HoppingEvent", section: "§16.2.7.6.1", fields: fs(u16("HopTableID"), u16("NextChannelIndex")), subs: subs()},
	{typ: uint16(PGPIEvent), name: "GPIEvent", section: "§16.2.7.6.2", fields: fs(u16("GPIPortNumber"), u1("GPIEvent"), rsv(7)), subs: subs()},
	{typ: uint16(PROSpecEvent), name: "ROSpecEvent", section: "§16.2.7.6.3", fields: fs(u8("EventType"), u32("ROSpecID"), u32("PreemptingROSpecID")), subs: subs()},
	{typ: uint16(PReportBufferLevelWarningEvent), name: "ReportBufferLevelWarningEvent", section: "§16.2.7.6.4", fields: fs(u8("ReportBufferPercentageFull")), subs: subs()},
	{typ: uint16(PReportBufferOverflowErrorEvent), name: "ReportBufferOverflowErrorEvent", section: "§16.2.7.6.5", fields: fs(), subs: subs()},
	{typ: uint16(PReaderExceptionEvent), name: "ReaderExceptionEvent", section: "§16.2.7.6.6", fields: fs(utf8v("Message")), subs: subs(sub(0, 1, PROSpecID), sub(0, 1, PSpecIndex), sub(0, 1, PInventoryParameterSpecID), sub(0, 1, PAntennaID), sub(0, 1, PAccessSpecID), sub(0, 1, POpSpecID), sub(0, many, PCustom))},
	{typ: uint16(POpSpecID), name: "OpSpecID", section: "§16.2.7.6.6.1", fields: fs(u16("OpSpecID")), subs: subs()},
	{typ: uint16(PRFSurveyEvent), name: "RFSurveyEvent", section: "§16.2.7.6.7", fields: fs(u8("EventType"), u32("ROSpecID"), u16("SpecIndex")), subs: subs()},
	{typ: uint16(PAISpecEvent), name: "AISpecEvent", section: "§16.2.7.6.8", fields: fs(u8("EventType"), u32("ROSpecID"), u16("SpecIndex")), subs: subs(sub(0, 1, PC1G2SingulationDetails))},
	{typ: uint16(PAntennaEvent), name: "AntennaEvent", section: "§16.2.7.6.9", fields: fs(u8("EventType"), u16("AntennaID")), subs: subs()},
	{typ: uint16(PConnectionAttemptEvent), name: "ConnectionAttemptEvent", section: "§16.2.7.6.10", fields: fs(u16("Status")), subs: subs()},
	{typ: uint16(PConnectionCloseEvent), name: "ConnectionCloseEvent", section: "§16.2.7.6.11", fields: fs(), subs: subs()},
	{typ: uint16(PLLRPStatus), name: "LLRPStatus", section: "§16.2.8.1", fields: fs(u16("StatusCode"), utf8v("ErrorDescription")), subs: subs(sub(0, 1, PFieldError), sub(0, 1, PParameterError))},
	{typ: uint16(PFieldError), name: "FieldError", section: "§16.2.8.1.1", fields: fs(u16("FieldNum"), u16("ErrorCode")), subs: subs()},
	{typ: uint16(PParameterError), name: "ParameterError", section: "§16.2.8.1.2", fields: fs(u16("ParameterType"), u16("ErrorCode")), subs: subs(sub(0, 1, PFieldError), sub(0, 1, PParameterError))},
	{typ: uint16(PC1G2LLRPCapabilities), name: "C1G2LLRPCapabilities", section: "§16.3.1.1.1", fields: fs(u1("CanSupportBlockErase"), u1("CanSupportBlockWrite"), rsv(6), u16("MaxNumSelectFiltersPerQuery")), subs: subs()},
	{typ: uint16(PC1G2UHFRFModeTable), name: "C1G2UHFRFModeTable", section: "§16.3.1.1.2", fields: fs(), subs: subs(sub(1, many, PC1G2UHFRFModeTableEntry))},
	{typ: uint16(PC1G2UHFRFModeTableEntry), name: "C1G2UHFRFModeTableEntry", section: "§16.3.1.1.2.1", fields: fs(u32("ModeIdentifier"), u1("DRValue"), u1("EPCHAGTCConformance"), rsv(6), u8("MValue"), u8("ForwardLinkModulation"), u8("SpectralMaskIndicator"), u32("BDRValue"), u32("PIEValue"), u32("MinTariValue"), u32("MaxTariValue"), u32("StepTariValue")), subs: subs()},
	{typ: uint16(PC1G2InventoryCommand), name: "C1G2InventoryCommand", section: "§16.3.1.2.1", fields: fs(u1("TagInventoryStateAware"), rsv(7)), subs: subs(sub(0, many, PC1G2Filter), sub(0, 1, PC1G2RFControl), sub(0, 1, PC1G2SingulationControl), sub(0, many, PCustom))},
	{typ: uint16(PC1G2Filter), name: "C1G2Filter", section: "§16.3.1.2.1.1", fields: fs(u2("T"), rsv(6)), subs: subs(sub(1, 1, PC1G2TagInventoryMask), sub(0, 1, PC1G2TagInventoryStateAwareFilterAction), sub(0, 1, PC1G2TagInventoryStateUnawareFilterAction))},
	{typ: uint16(PC1G2TagInventoryMask), name: "C1G2TagInventoryMask", section: "§16.3.1.2.1.1.1", fields: fs(u2("MB"), rsv(6), u16("Pointer"), u1v("TagMask")), subs: subs()},
	{typ: uint16(PC1G2TagInventoryStateAwareFilterAction), name: "C1G2TagInventoryStateAwareFilterAction", section: "§16.3.1.2.1.1.2", fields: fs(u8("Target"), u8("Action")), subs: subs()},
	{typ: uint16(PC1G2TagInventoryStateUnawareFilterAction), name: "C1G2TagInventoryStateUnawareFilterAction", section: "§16.3.1.2.1.1.3", fields: fs(u8("Action")), subs: subs()},
	{typ: uint16(PC1G2RFControl), name: "C1G2RFControl", section: "§16.3.1.2.1.2", fields: fs(u16("ModeIndex"), u16("Tari")), subs: subs()},
	{typ: uint16(PC1G2SingulationControl), name: "C1G2SingulationControl", section: "§16.3.1.2.1.3", fields: fs(u2("Session"), rsv(6), u16("TagPopulation"), u32("TagTransitTime")), subs: subs(sub(0, 1, PC1G2TagInventoryStateAwareSingulationAction))},
	{typ: uint16(PC1G2TagInventoryStateAwareSingulationAction), name: "C1G2TagInventoryStateAwareSingulationAction", section: "§16.3.1.2.1.3.1", fields: fs(u1("I"), u1("S"), rsv(6)), subs: subs()},
	{typ: uint16(PC1G2TagSpec), name: "C1G2TagSpec", section: "§16.3.1.3.1", fields: fs(), subs: subs(sub(1, many, PC1G2TargetTag))},
	{typ: uint16(PC1G2TargetTag), name: "C1G2TargetTag", section: "§16.3.1.3.1.1", fields: fs(u2("MB"), u1("Match"), rsv(5), u16("Pointer"), u1v("TagMask"), u1v("TagData")), subs: subs()},
	{typ: uint16(PC1G2Read), name: "C1G2Read", section: "§16.3.1.3.2.1", fields: fs(u16("OpSpecID"), u32("AccessPassword"), u2("MB"), rsv(6), u16("WordPointer"), u16("WordCount")), subs: subs()},
	{typ: uint16(PC1G2Write), name: "C1G2Write", section: "§16.3.1.3.2.2", fields: fs(u16("OpSpecID"), u32("AccessPassword"), u2("MB"), rsv(6), u16("WordPointer"), u16v("WriteData")), subs: subs()},
	{typ: uint16(PC1G2Kill), name: "C1G2Kill", section: "§16.3.1.3.2.3", fields: fs(u16("OpSpecID"), u32("KillPassword")), subs: subs()},
	{typ: uint16(PC1G2Lock), name: "C1G2Lock", section: "§16.3.1.3.2.4", fields: fs(u16("OpSpecID"), u32("AccessPassword")), subs: subs(sub(1, many, PC1G2LockPayload))},
	{typ: uint16(PC1G2LockPayload), name: "C1G2LockPayload", section: "§16.3.1.3.2.4.1", fields: fs(u8("Privilege"), u8("DataField")), subs: subs()},
	{typ: uint16(PC1G2BlockErase), name: "C1G2BlockErase", section: "§16.3.1.3.2.5", fields: fs(u16("OpSpecID"), u32("AccessPassword"), u2("MB"), rsv(6), u16("WordPointer"), u16("WordCount")), subs: subs()},
	{typ: uint16(PC1G2BlockWrite), name: "C1G2BlockWrite", section: "§16.3.1.3.2.6", fields: fs(u16("OpSpecID"), u32("AccessPassword"), u2("MB"), rsv(6), u16("WordPointer"), u16v("WriteData")), subs: subs()},
	{typ: uint16(PC1G2EPCMemorySelector), name: "C1G2EPCMemorySelector", section: "§16.3.1.5.1", fields: fs(u1("EnableCRC"), u1("EnablePCBits"), rsv(6)), subs: subs()},
	{typ: uint16(PC1G2PC), name: "C1G2_PC", section: "§16.3.1.5.2", fields: fs(u16("PC_Bits")), subs: subs()},
	{typ: uint16(PC1G2CRC), name: "C1G2_CRC", section: "§16.3.1.5.3", fields: fs(u16("CRC")), subs: subs()},
	{typ: uint16(PC1G2SingulationDetails), name: "C1G2SingulationDetails", section: "§16.3.1.5.4", fields: fs(u16("NumCollisionSlots"), u16("NumEmptySlots")), subs: subs()},
	{typ: uint16(PC1G2XPCW1), name: "C1G2_XPC_W1", section: "LLRP 1.1 C1G2 XPC word", fields: fs(u16("Word1")), subs: subs()},
	{typ: uint16(PC1G2XPCW2), name: "C1G2_XPC_W2", section: "LLRP 1.1 C1G2 XPC word", fields: fs(u16("Word2")), subs: subs()},
	{typ: uint16(PC1G2ReadOpSpecResult), name: "C1G2ReadOpSpecResult", section: "§16.3.1.5.5.1", fields: fs(u8("Result"), u16("OpSpecID"), u16v("ReadData")), subs: subs()},
	{typ: uint16(PC1G2WriteOpSpecResult), name: "C1G2WriteOpSpecResult", section: "§16.3.1.5.5.2", fields: fs(u8("Result"), u16("OpSpecID"), u16("NumWordsWritten")), subs: subs()},
	{typ: uint16(PC1G2KillOpSpecResult), name: "C1G2KillOpSpecResult", section: "§16.3.1.5.5.3", fields: fs(u8("Result"), u16("OpSpecID")), subs: subs()},
	{typ: uint16(PC1G2LockOpSpecResult), name: "C1G2LockOpSpecResult", section: "§16.3.1.5.5.4", fields: fs(u8("Result"), u16("OpSpecID")), subs: subs()},
	{typ: uint16(PC1G2BlockEraseOpSpecResult), name: "C1G2BlockEraseOpSpecResult", section: "§16.3.1.5.5.5", fields: fs(u8("Result"), u16("OpSpecID")), subs: subs()},
	{typ: uint16(PC1G2BlockWriteOpSpecResult), name: "C1G2BlockWriteOpSpecResult", section: "§16.3.1.5.5.6", fields: fs(u8("Result"), u16("OpSpecID"), u16("NumWordsWritten")), subs: subs()},
}

// messageDefs is the message table.
var messageDefs = []*def{
	{typ: uint16(CustomMessage), name: "CUSTOM_MESSAGE", section: "§16.1.42", fields: fs(u32("VendorIdentifier"), u8("MessageSubtype"), bytesToEnd("Data")), subs: subs()},
	{typ: uint16(GetReaderCapabilities), name: "GET_READER_CAPABILITIES", section: "§16.1.1", fields: fs(u8("RequestedData")), subs: subs(sub(0, many, PCustom))},
	{typ: uint16(GetReaderCapabilitiesResponse), name: "GET_READER_CAPABILITIES_RESPONSE", section: "§16.1.2", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus), sub(0, 1, PGeneralDeviceCapabilities), sub(0, 1, PLLRPCapabilities), sub(0, 1, PRegulatoryCapabilities), sub(0, 1, PC1G2LLRPCapabilities), sub(0, many, PCustom))},
	{typ: uint16(AddROSpec), name: "ADD_ROSPEC", section: "§16.1.3", fields: fs(), subs: subs(sub(1, 1, PROSpec))},
	{typ: uint16(AddROSpecResponse), name: "ADD_ROSPEC_RESPONSE", section: "§16.1.4", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(DeleteROSpec), name: "DELETE_ROSPEC", section: "§16.1.5", fields: fs(u32("ROSpecID")), subs: subs()},
	{typ: uint16(DeleteROSpecResponse), name: "DELETE_ROSPEC_RESPONSE", section: "§16.1.6", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(StartROSpec), name: "START_ROSPEC", section: "§16.1.7", fields: fs(u32("ROSpecID")), subs: subs()},
	{typ: uint16(StartROSpecResponse), name: "START_ROSPEC_RESPONSE", section: "§16.1.8", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(StopROSpec), name: "STOP_ROSPEC", section: "§16.1.9", fields: fs(u32("ROSpecID")), subs: subs()},
	{typ: uint16(StopROSpecResponse), name: "STOP_ROSPEC_RESPONSE", section: "§16.1.10", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(EnableROSpec), name: "ENABLE_ROSPEC", section: "§16.1.11", fields: fs(u32("ROSpecID")), subs: subs()},
	{typ: uint16(EnableROSpecResponse), name: "ENABLE_ROSPEC_RESPONSE", section: "§16.1.12", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(DisableROSpec), name: "DISABLE_ROSPEC", section: "§16.1.13", fields: fs(u32("ROSpecID")), subs: subs()},
	{typ: uint16(DisableROSpecResponse), name: "DISABLE_ROSPEC_RESPONSE", section: "§16.1.14", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(GetROSpecs), name: "GET_ROSPECS", section: "§16.1.15", fields: fs(), subs: subs()},
	{typ: uint16(GetROSpecsResponse), name: "GET_ROSPECS_RESPONSE", section: "§16.1.16", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus), sub(0, many, PROSpec))},
	{typ: uint16(GetSupportedVersion), name: "GET_SUPPORTED_VERSION", section: "1.1 §17.1.1", fields: fs(), subs: subs()},
	{typ: uint16(GetSupportedVersionResponse), name: "GET_SUPPORTED_VERSION_RESPONSE", section: "1.1 §17.1.2", fields: fs(u8("CurrentVersion"), u8("SupportedVersion")), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(SetProtocolVersion), name: "SET_PROTOCOL_VERSION", section: "1.1 §17.1.3", fields: fs(u8("ProtocolVersion")), subs: subs()},
	{typ: uint16(SetProtocolVersionResponse), name: "SET_PROTOCOL_VERSION_RESPONSE", section: "1.1 §17.1.4", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(AddAccessSpec), name: "ADD_ACCESSSPEC", section: "§16.1.17", fields: fs(), subs: subs(sub(1, 1, PAccessSpec))},
	{typ: uint16(AddAccessSpecResponse), name: "ADD_ACCESSSPEC_RESPONSE", section: "§16.1.18", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(DeleteAccessSpec), name: "DELETE_ACCESSSPEC", section: "§16.1.19", fields: fs(u32("AccessSpecID")), subs: subs()},
	{typ: uint16(DeleteAccessSpecResponse), name: "DELETE_ACCESSSPEC_RESPONSE", section: "§16.1.20", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(EnableAccessSpec), name: "ENABLE_ACCESSSPEC", section: "§16.1.21", fields: fs(u32("AccessSpecID")), subs: subs()},
	{typ: uint16(EnableAccessSpecResponse), name: "ENABLE_ACCESSSPEC_RESPONSE", section: "§16.1.22", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(DisableAccessSpec), name: "DISABLE_ACCESSSPEC", section: "§16.1.23", fields: fs(u32("AccessSpecID")), subs: subs()},
	{typ: uint16(DisableAccessSpecResponse), name: "DISABLE_ACCESSSPEC_RESPONSE", section: "§16.1.24", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(GetAccessSpecs), name: "GET_ACCESSSPECS", section: "§16.1.25", fields: fs(), subs: subs()},
	{typ: uint16(GetAccessSpecsResponse), name: "GET_ACCESSSPECS_RESPONSE", section: "§16.1.26", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus), sub(0, many, PAccessSpec))},
	{typ: uint16(GetReaderConfig), name: "GET_READER_CONFIG", section: "§16.1.36", fields: fs(u16("AntennaID"), u8("RequestedData"), u16("GPIPortNum"), u16("GPOPortNum")), subs: subs(sub(0, many, PCustom))},
	{typ: uint16(GetReaderConfigResponse), name: "GET_READER_CONFIG_RESPONSE", section: "§16.1.37", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus), sub(0, 1, PIdentification), sub(0, many, PAntennaProperties), sub(0, many, PAntennaConfiguration), sub(0, 1, PReaderEventNotificationSpec), sub(0, 1, PROReportSpec), sub(0, 1, PAccessReportSpec), sub(0, 1, PLLRPConfigurationStateValue), sub(0, 1, PKeepaliveSpec), sub(0, many, PGPIPortCurrentState), sub(0, many, PGPOWriteData), sub(0, 1, PEventsAndReports), sub(0, many, PCustom))},
	{typ: uint16(SetReaderConfig), name: "SET_READER_CONFIG", section: "§16.1.38", fields: fs(u1("ResetToFactoryDefault"), rsv(7)), subs: subs(sub(0, 1, PReaderEventNotificationSpec), sub(0, many, PAntennaProperties), sub(0, many, PAntennaConfiguration), sub(0, 1, PROReportSpec), sub(0, 1, PAccessReportSpec), sub(0, 1, PKeepaliveSpec), sub(0, many, PGPOWriteData), sub(0, many, PGPIPortCurrentState), sub(0, 1, PEventsAndReports), sub(0, many, PCustom))},
	{typ: uint16(SetReaderConfigResponse), name: "SET_READER_CONFIG_RESPONSE", section: "§16.1.39", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(CloseConnection), name: "CLOSE_CONNECTION", section: "§16.1.40", fields: fs(), subs: subs()},
	{typ: uint16(CloseConnectionResponse), name: "CLOSE_CONNECTION_RESPONSE", section: "§16.1.41", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
	{typ: uint16(GetReport), name: "GET_REPORT", section: "§16.1.29", fields: fs(), subs: subs()},
	{typ: uint16(ROAccessReport), name: "RO_ACCESS_REPORT", section: "§16.1.30", fields: fs(), subs: subs(sub(0, many, PTagReportData), sub(0, many, PRFSurveyReportData), sub(0, many, PCustom))},
	{typ: uint16(Keepalive), name: "KEEPALIVE", section: "§16.1.31", fields: fs(), subs: subs()},
	{typ: uint16(KeepaliveAck), name: "KEEPALIVE_ACK", section: "§16.1.32", fields: fs(), subs: subs()},
	{typ: uint16(ReaderEventNotification), name: "READER_EVENT_NOTIFICATION", section: "§16.1.33", fields: fs(), subs: subs(sub(1, 1, PReaderEventNotificationData))},
	{typ: uint16(EnableEventsAndReports), name: "ENABLE_EVENTS_AND_REPORTS", section: "§16.1.34", fields: fs(), subs: subs()},
	{typ: uint16(ErrorMessage), name: "ERROR_MESSAGE", section: "§16.1.35", fields: fs(), subs: subs(sub(1, 1, PLLRPStatus))},
}
