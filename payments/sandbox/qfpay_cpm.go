package sandbox

// qfCPMPath is what a CPM payment does in the sandbox: the customer's
// auth_code chooses it by its last two digits, so tests and trainees can
// drive every path QFPay has (README, "QFPay sandbox").
type qfCPMPath struct {
	answer string // respcd of the payment answer
	// final is the record's respcd once the order settles; "" keeps it
	// pending until a reversal or /sandbox/pay.
	final string
	// pending is how many queries of the order still show the answer's
	// pending code; the next one shows final.
	pending int
	// nothing: the order is not created at all (QFPay failed before it).
	nothing bool
}

// qfCPMPaths by the auth_code's last two digits. Any other ending pays at
// once (0000), so a code never seen before behaves as a real wallet's.
var qfCPMPaths = map[string]qfCPMPath{
	"01": {answer: "1201", final: "1201"},             // insufficient balance
	"02": {answer: "1202", final: "1202"},             // incorrect or expired code
	"05": {answer: "2005", final: "2005"},             // code incorrect or expired (wallet's word)
	"43": {answer: "1143", final: "0000", pending: 2}, // password being typed, then paid
	"44": {answer: "1143", final: "1205", pending: 2}, // password being typed, then failed
	"45": {answer: "1145", final: "0000", pending: 2}, // processing, then paid
	"46": {answer: "1145"},                            // processing until cancelled or settled by hand
	"97": {answer: "1297", nothing: true},             // bank busy: no order was made
	"98": {answer: "1298", final: "0000"},             // network slow, but the customer paid
	"":   {answer: "0000", final: "0000"},             // every other ending: paid at once
}

// qfCPMPathOf picks the path of an auth code.
func qfCPMPathOf(authCode string) qfCPMPath {
	if len(authCode) >= 2 {
		if p, ok := qfCPMPaths[authCode[len(authCode)-2:]]; ok {
			return p
		}
	}
	return qfCPMPaths[""]
}
