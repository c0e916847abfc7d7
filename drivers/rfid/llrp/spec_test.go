package llrp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The standard's own tables, typed in from EPCglobal LLRP 1.0.1: the type
// number and binary-encoding section of every message (§16.1) and
// parameter (§16.2, §16.3), plus the four LLRP 1.1 version messages
// (§17.1.1-§17.1.4). TestSchemaMatchesSpec checks the codec's tables
// against them, both ways.
type specEntry struct {
	name    string
	typ     uint16
	section string
}

var specMessages = []specEntry{
	{"CUSTOM_MESSAGE", 1023, "§16.1.42"},
	{"GET_READER_CAPABILITIES", 1, "§16.1.1"},
	{"GET_READER_CAPABILITIES_RESPONSE", 11, "§16.1.2"},
	{"ADD_ROSPEC", 20, "§16.1.3"},
	{"ADD_ROSPEC_RESPONSE", 30, "§16.1.4"},
	{"DELETE_ROSPEC", 21, "§16.1.5"},
	{"DELETE_ROSPEC_RESPONSE", 31, "§16.1.6"},
	{"START_ROSPEC", 22, "§16.1.7"},
	{"START_ROSPEC_RESPONSE", 32, "§16.1.8"},
	{"STOP_ROSPEC", 23, "§16.1.9"},
	{"STOP_ROSPEC_RESPONSE", 33, "§16.1.10"},
	{"ENABLE_ROSPEC", 24, "§16.1.11"},
	{"ENABLE_ROSPEC_RESPONSE", 34, "§16.1.12"},
	{"DISABLE_ROSPEC", 25, "§16.1.13"},
	{"DISABLE_ROSPEC_RESPONSE", 35, "§16.1.14"},
	{"GET_ROSPECS", 26, "§16.1.15"},
	{"GET_ROSPECS_RESPONSE", 36, "§16.1.16"},
	{"ADD_ACCESSSPEC", 40, "§16.1.17"},
	{"ADD_ACCESSSPEC_RESPONSE", 50, "§16.1.18"},
	{"DELETE_ACCESSSPEC", 41, "§16.1.19"},
	{"DELETE_ACCESSSPEC_RESPONSE", 51, "§16.1.20"},
	{"ENABLE_ACCESSSPEC", 42, "§16.1.21"},
	{"ENABLE_ACCESSSPEC_RESPONSE", 52, "§16.1.22"},
	{"DISABLE_ACCESSSPEC", 43, "§16.1.23"},
	{"DISABLE_ACCESSSPEC_RESPONSE", 53, "§16.1.24"},
	{"GET_ACCESSSPECS", 44, "§16.1.25"},
	{"GET_ACCESSSPECS_RESPONSE", 54, "§16.1.26"},
	{"GET_READER_CONFIG", 2, "§16.1.36"},
	{"GET_READER_CONFIG_RESPONSE", 12, "§16.1.37"},
	{"SET_READER_CONFIG", 3, "§16.1.38"},
	{"SET_READER_CONFIG_RESPONSE", 13, "§16.1.39"},
	{"CLOSE_CONNECTION", 14, "§16.1.40"},
	{"CLOSE_CONNECTION_RESPONSE", 4, "§16.1.41"},
	{"GET_REPORT", 60, "§16.1.29"},
	{"RO_ACCESS_REPORT", 61, "§16.1.30"},
	{"KEEPALIVE", 62, "§16.1.31"},
	{"KEEPALIVE_ACK", 72, "§16.1.32"},
	{"READER_EVENT_NOTIFICATION", 63, "§16.1.33"},
	{"ENABLE_EVENTS_AND_REPORTS", 64, "§16.1.34"},
	{"ERROR_MESSAGE", 100, "§16.1.35"},
	{"GET_SUPPORTED_VERSION", 46, "1.1 §17.1.1"},
	{"GET_SUPPORTED_VERSION_RESPONSE", 56, "1.1 §17.1.2"},
	{"SET_PROTOCOL_VERSION", 47, "1.1 §17.1.3"},
	{"SET_PROTOCOL_VERSION_RESPONSE", 57, "1.1 §17.1.4"},
}

var specParams = []specEntry{
	{"UTCTimestamp", 128, "§16.2.2.1"},
	{"Uptime", 129, "§16.2.2.2"},
	{"Custom", 1023, "§16.2.9"},
	{"GeneralDeviceCapabilities", 137, "§16.2.3.1"},
	{"ReceiveSensitivityTableEntry", 139, "§16.2.3.1.1"},
	{"PerAntennaReceiveSensitivityRange", 149, "§16.2.3.1.2"},
	{"PerAntennaAirProtocol", 140, "§16.2.3.1.3"},
	{"GPIOCapabilities", 141, "§16.2.3.1.4"},
	{"LLRPCapabilities", 142, "§16.2.3.2"},
	{"RegulatoryCapabilities", 143, "§16.2.3.4"},
	{"UHFBandCapabilities", 144, "§16.2.3.4.1"},
	{"TransmitPowerLevelTableEntry", 145, "§16.2.3.4.1.1"},
	{"FrequencyInformation", 146, "§16.2.3.4.1.2"},
	{"FrequencyHopTable", 147, "§16.2.3.4.1.2.1"},
	{"FixedFrequencyTable", 148, "§16.2.3.4.1.2.2"},
	{"ROSpec", 177, "§16.2.4.1"},
	{"ROBoundarySpec", 178, "§16.2.4.1.1"},
	{"ROSpecStartTrigger", 179, "§16.2.4.1.1.1"},
	{"PeriodicTriggerValue", 180, "§16.2.4.1.1.1.1"},
	{"GPITriggerValue", 181, "§16.2.4.1.1.1.2"},
	{"ROSpecStopTrigger", 182, "§16.2.4.1.1.2"},
	{"AISpec", 183, "§16.2.4.2"},
	{"AISpecStopTrigger", 184, "§16.2.4.2.1"},
	{"TagObservationTrigger", 185, "§16.2.4.2.1.1"},
	{"InventoryParameterSpec", 186, "§16.2.4.2.2"},
	{"RFSurveySpec", 187, "§16.2.4.3"},
	{"RFSurveySpecStopTrigger", 188, "§16.2.4.3.1"},
	{"AccessSpec", 207, "§16.2.5.1"},
	{"AccessSpecStopTrigger", 208, "§16.2.5.1.1"},
	{"AccessCommand", 209, "§16.2.5.1.2"},
	{"LLRPConfigurationStateValue", 217, "§16.2.6.1"},
	{"Identification", 218, "§16.2.6.2"},
	{"GPOWriteData", 219, "§16.2.6.3"},
	{"KeepaliveSpec", 220, "§16.2.6.4"},
	{"AntennaProperties", 221, "§16.2.6.5"},
	{"AntennaConfiguration", 222, "§16.2.6.6"},
	{"RFReceiver", 223, "§16.2.6.7"},
	{"RFTransmitter", 224, "§16.2.6.8"},
	{"GPIPortCurrentState", 225, "§16.2.6.9"},
	{"EventsAndReports", 226, "§16.2.6.10"},
	{"ROReportSpec", 237, "§16.2.7.1"},
	{"TagReportContentSelector", 238, "§16.2.7.1.1"},
	{"AccessReportSpec", 239, "§16.2.7.2"},
	{"TagReportData", 240, "§16.2.7.3"},
	{"EPCData", 241, "§16.2.7.3.1"},
	{"EPC_96", 13, "§16.2.7.3.2"},
	{"ROSpecID", 9, "§16.2.7.3.3"},
	{"SpecIndex", 14, "§16.2.7.3.4"},
	{"InventoryParameterSpecID", 10, "§16.2.7.3.5"},
	{"AntennaID", 1, "§16.2.7.3.6"},
	{"PeakRSSI", 6, "§16.2.7.3.7"},
	{"ChannelIndex", 7, "§16.2.7.3.8"},
	{"FirstSeenTimestampUTC", 2, "§16.2.7.3.9"},
	{"FirstSeenTimestampUptime", 3, "§16.2.7.3.10"},
	{"LastSeenTimestampUTC", 4, "§16.2.7.3.11"},
	{"LastSeenTimestampUptime", 5, "§16.2.7.3.12"},
	{"TagSeenCount", 8, "§16.2.7.3.13"},
	{"AccessSpecID", 16, "§16.2.7.3.15"},
	{"RFSurveyReportData", 242, "§16.2.7.4"},
	{"FrequencyRSSILevelEntry", 243, "§16.2.7.4.1"},
	{"ReaderEventNotificationSpec", 244, "§16.2.7.5"},
	{"EventNotificationState", 245, "§16.2.7.5.1"},
	{"ReaderEventNotificationData", 246, "§16.2.7.6"},
	{"HoppingEvent", 247, "§16.2.7.6.1"},
	{"GPIEvent", 248, "§16.2.7.6.2"},
	{"ROSpecEvent", 249, "§16.2.7.6.3"},
	{"ReportBufferLevelWarningEvent", 250, "§16.2.7.6.4"},
	{"ReportBufferOverflowErrorEvent", 251, "§16.2.7.6.5"},
	{"ReaderExceptionEvent", 252, "§16.2.7.6.6"},
	{"OpSpecID", 17, "§16.2.7.6.6.1"},
	{"RFSurveyEvent", 253, "§16.2.7.6.7"},
	{"AISpecEvent", 254, "§16.2.7.6.8"},
	{"AntennaEvent", 255, "§16.2.7.6.9"},
	{"ConnectionAttemptEvent", 256, "§16.2.7.6.10"},
	{"ConnectionCloseEvent", 257, "§16.2.7.6.11"},
	{"LLRPStatus", 287, "§16.2.8.1"},
	{"FieldError", 288, "§16.2.8.1.1"},
	{"ParameterError", 289, "§16.2.8.1.2"},
	{"C1G2LLRPCapabilities", 327, "§16.3.1.1.1"},
	{"C1G2UHFRFModeTable", 328, "§16.3.1.1.2"},
	{"C1G2UHFRFModeTableEntry", 329, "§16.3.1.1.2.1"},
	{"C1G2InventoryCommand", 330, "§16.3.1.2.1"},
	{"C1G2Filter", 331, "§16.3.1.2.1.1"},
	{"C1G2TagInventoryMask", 332, "§16.3.1.2.1.1.1"},
	{"C1G2TagInventoryStateAwareFilterAction", 333, "§16.3.1.2.1.1.2"},
	{"C1G2TagInventoryStateUnawareFilterAction", 334, "§16.3.1.2.1.1.3"},
	{"C1G2RFControl", 335, "§16.3.1.2.1.2"},
	{"C1G2SingulationControl", 336, "§16.3.1.2.1.3"},
	{"C1G2TagInventoryStateAwareSingulationAction", 337, "§16.3.1.2.1.3.1"},
	{"C1G2TagSpec", 338, "§16.3.1.3.1"},
	{"C1G2TargetTag", 339, "§16.3.1.3.1.1"},
	{"C1G2Read", 341, "§16.3.1.3.2.1"},
	{"C1G2Write", 342, "§16.3.1.3.2.2"},
	{"C1G2Kill", 343, "§16.3.1.3.2.3"},
	{"C1G2Lock", 344, "§16.3.1.3.2.4"},
	{"C1G2LockPayload", 345, "§16.3.1.3.2.4.1"},
	{"C1G2BlockErase", 346, "§16.3.1.3.2.5"},
	{"C1G2BlockWrite", 347, "§16.3.1.3.2.6"},
	{"C1G2EPCMemorySelector", 348, "§16.3.1.5.1"},
	{"C1G2_PC", 12, "§16.3.1.5.2"},
	{"C1G2_CRC", 11, "§16.3.1.5.3"},
	{"C1G2SingulationDetails", 18, "§16.3.1.5.4"},
	{"C1G2ReadOpSpecResult", 349, "§16.3.1.5.5.1"},
	{"C1G2WriteOpSpecResult", 350, "§16.3.1.5.5.2"},
	{"C1G2KillOpSpecResult", 351, "§16.3.1.5.5.3"},
	{"C1G2LockOpSpecResult", 352, "§16.3.1.5.5.4"},
	{"C1G2BlockEraseOpSpecResult", 353, "§16.3.1.5.5.5"},
	{"C1G2BlockWriteOpSpecResult", 354, "§16.3.1.5.5.6"},
	{"C1G2_XPC_W1", 19, "LLRP 1.1 C1G2 XPC word"},
	{"C1G2_XPC_W2", 20, "LLRP 1.1 C1G2 XPC word"},
}

func TestSchemaMatchesSpec(t *testing.T) {
	check := func(t *testing.T, spec []specEntry, ours []*def) {
		byType := map[uint16]*def{}
		for _, d := range ours {
			require.Nil(t, byType[d.typ], "type %d defined twice", d.typ)
			byType[d.typ] = d
		}
		for _, e := range spec {
			d := byType[e.typ]
			if assert.NotNil(t, d, "%s (%d) missing", e.name, e.typ) {
				assert.Equal(t, e.name, d.name, "type %d", e.typ)
				assert.Equal(t, e.section, d.section, e.name)
			}
			delete(byType, e.typ)
		}
		assert.Empty(t, byType, "types the standard does not define")
	}
	t.Run("messages", func(t *testing.T) { check(t, specMessages, messageDefs) })
	t.Run("parameters", func(t *testing.T) { check(t, specParams, paramDefs) })
}

// TestStatusCodesMatchSpec: §14.2.1 "Status codes" (and M_UnexpectedMessage
// of LLRP 1.1).
func TestStatusCodesMatchSpec(t *testing.T) {
	spec := map[uint16]string{
		0: "M_Success", 100: "M_ParameterError", 101: "M_FieldError", 102: "M_UnexpectedParameter",
		103: "M_MissingParameter", 104: "M_DuplicateParameter", 105: "M_OverflowParameter", 106: "M_OverflowField",
		107: "M_UnknownParameter", 108: "M_UnknownField", 109: "M_UnsupportedMessage", 110: "M_UnsupportedVersion",
		111: "M_UnsupportedParameter", 112: "M_UnexpectedMessage",
		200: "P_ParameterError", 201: "P_FieldError", 202: "P_UnexpectedParameter", 203: "P_MissingParameter",
		204: "P_DuplicateParameter", 205: "P_OverflowParameter", 206: "P_OverflowField", 207: "P_UnknownParameter",
		208: "P_UnknownField", 209: "P_UnsupportedParameter", 300: "A_Invalid", 301: "A_OutOfRange", 401: "R_DeviceError",
	}
	for code, name := range spec {
		assert.Equal(t, name, StatusCode(code).String())
	}
	assert.Len(t, statusNames, len(spec))
	// A fault of a message's own parameter takes the message-scope code of
	// the same name.
	for p, m := range map[StatusCode]StatusCode{P_MissingParameter: M_MissingParameter, P_UnknownParameter: M_UnknownParameter,
		P_UnsupportedParameter: M_UnsupportedParameter, P_DuplicateParameter: M_DuplicateParameter} {
		assert.Equal(t, m, messageScope(p))
	}
}

// TestTVSizesMatchSpec: value sizes of the TV-encoded parameters, from their
// field tables (§16.2.7.3.2-§16.2.7.3.15, §16.2.7.6.6.1, §16.3.1.5.2-4).
func TestTVSizesMatchSpec(t *testing.T) {
	spec := map[ParamType]int{
		PAntennaID: 2, PFirstSeenTimestampUTC: 8, PFirstSeenTimestampUptime: 8, PLastSeenTimestampUTC: 8,
		PLastSeenTimestampUptime: 8, PPeakRSSI: 1, PChannelIndex: 2, PTagSeenCount: 2, PROSpecID: 4,
		PInventoryParameterSpecID: 2, PC1G2CRC: 2, PC1G2PC: 2, PEPC96: 12, PSpecIndex: 2, PAccessSpecID: 4,
		POpSpecID: 2, PC1G2SingulationDetails: 4, PC1G2XPCW1: 2, PC1G2XPCW2: 2,
	}
	for typ := range 128 {
		assert.Equal(t, spec[ParamType(typ)], tvLen[typ], "TV type %d", typ)
	}
}

// TestEnumerationsMatchSpec: the enumerations the package names.
func TestEnumerationsMatchSpec(t *testing.T) {
	// ConnectionAttemptStatusType (§13.2.6.11).
	assert.Equal(t, "Failed_A_Client_Initiated_Connection_Already_Exists", ConnStatusName(ConnClientInitiatedExists))
	assert.Equal(t, "Another_Connection_Attempted", ConnStatusName(4))
	assert.Equal(t, "status 9", ConnStatusName(9))
	// NotificationEventType (§13.2.5.1).
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8}, []int{EventHopping, EventGPI, EventROSpec, EventBufferFill,
		EventReaderException, EventRFSurvey, EventAISpec, EventAISpecDetails, EventAntenna})
	// ROSpecEventType (§13.2.6.4).
	assert.Equal(t, []int{0, 1, 2}, []int{ROSpecStarted, ROSpecEnded, ROSpecPreempted})
}
