package qfpay

import (
	"slices"
	"sort"
	"strings"

	"qrpos/payments"
)

// statusMessages is QFPay's whole "Transaction Status Codes" table (seed
// qfpay-payment-methods-and-endpoint.txt): what a person reads for a respcd.
// The texts are for people only; the code never matches on them.
var statusMessages = map[string]string{
	"0000": "Transaction successful",
	"1100": "System under maintenance",
	"1101": "Reversal error",
	"1102": "Duplicate request",
	"1103": "Request format error",
	"1104": "Request parameter error",
	"1105": "Device not activated",
	"1106": "Invalid device",
	"1107": "Device not allowed",
	"1108": "Signature error",
	"1125": "Transaction has been refunded already",
	"1136": "The transaction does not exist or is not operational",
	"1142": "Order already closed",
	"1143": "The order has not been paid for, the password is currently being entered",
	"1145": "Please wait while processing",
	"1147": "Wechat pay transaction error",
	"1150": "Your billing method is T0 and does not support canceling transactions.",
	"1155": "Refund request denied",
	"1181": "Order expired",
	"1201": "Insufficient balance, please use a different payment method",
	"1202": "Incorrect or expired payment code, please show the correct payment code or refresh the payment code and retry",
	"1203": "Merchant account error, confirm that the payment account is configured correctly",
	"1204": "Bank error, confirm that the payment wallet is functionable",
	"1205": "The transaction failed. Please try again later",
	"1212": "Please use the UnionPay overseas payment code",
	"1241": "The store does not exist or the status is incorrect. Do not conduct payments",
	"1242": "The store has not been configured correctly, unable to conduct payments",
	"1243": "The store has been disabled. Do not conduct payments, contact the owner to confirm",
	"1250": "The transaction is forbidden. For more information please contact QFPay Customer Service Team",
	"1251": "The store has not been configured correctly, we are currently working to fix this problem",
	"1252": "System error when making the order request",
	"1254": "A problem occured. We are currently resolving the issue",
	"1260": "The order has already been paid for, please confirm the transaction result before conducting more transactions",
	"1261": "The order has not been paid for, please confirm the transaction result before conducting more transactions",
	"1262": "The order has been refunded, please confirm the order status before conducting more transactions",
	"1263": "The order has been cancelled, please confirm the order status before conducting more transactions",
	"1264": "The order has been closed, please confirm the order status before conducting more transactions",
	"1265": "The transaction cannot be refunded. Refunds for transactions between 11:30pm to 0:30am and special promotions cannot be processed.",
	"1266": "The transaction amount is wrong, please confirm the order status",
	"1267": "The order information does not match, please confirm the order status",
	"1268": "The order does not exist, please confirm the order status",
	"1269": "Today's unsettled transaction amount is insufficient. Refunds cannot be processed. Please confirm that the balance is sufficient",
	"1270": "This currency does not support partial refunds",
	"1271": "The selected transaction does not support partial refunds",
	"1272": "The refund amount is greater than the maximum amount that can be refunded for the original transaction",
	"1294": "The transaction may be non-compliant and has been prohibited by the bank",
	"1295": "The connection is slow, waiting for a network response",
	"1296": "The connection is slow, waiting for a network response. Please try again later or use other payment methods",
	"1297": "The banking system is busy. Please try again later or use other payment methods",
	"1298": "The connection is slow, waiting for a network response. In case you have already paid, do not repeat the payment. Please confirm the result later",
	"2005": "The customer payment code is incorrect or has expired, please refresh and restart the transaction process",
	"2011": "Transaction serial number repeats",
}

// Status codes the client branches on.
const (
	CodeOK            = "0000"
	CodePassword      = "1143" // not paid yet: the customer is typing a password; query
	CodeProcessing    = "1145" // please wait: query
	CodeDuplicate     = "1102"
	CodeParameter     = "1104"
	CodeBadSignature  = "1108"
	CodeClosed        = "1142"
	CodeExpired       = "1181"
	CodeInsufficient  = "1201"
	CodeBadAuthCode   = "1202"
	CodeAlreadyPaid   = "1260"
	CodeRefundBalance = "1272"
	CodeSerialRepeats = "2011"
)

// codeKinds sorts the codes into the kinds the engine branches on. Every
// code of QFPay's table is listed; a code not in the table is KindSystem
// (see KindOf): QFPay says every code other than 0000, 1143 and 1145 is a
// failure, but a code this terminal has never seen does not say whether
// money moved.
var codeKinds = map[string]payments.ErrorKind{
	"1143": payments.KindPending,
	"1145": payments.KindPending,

	"1102": payments.KindDuplicate,
	"2011": payments.KindDuplicate,

	"1108": payments.KindBadSignature,

	"1105": payments.KindAuth,
	"1106": payments.KindAuth,
	"1107": payments.KindAuth,
	"1203": payments.KindAuth,
	"1241": payments.KindAuth, // store missing or misconfigured: the merchant account
	"1242": payments.KindAuth,
	"1243": payments.KindAuth,
	"1251": payments.KindAuth,

	"1103": payments.KindBadRequest,
	"1104": payments.KindBadRequest,
	"1267": payments.KindBadRequest,
	"1261": payments.KindBadRequest, // refund or reversal of a sale that is not paid

	"1266": payments.KindAmount,

	"1136": payments.KindNotFound,
	"1268": payments.KindNotFound,

	"1142": payments.KindClosed,
	"1263": payments.KindClosed,
	"1264": payments.KindClosed,
	"1181": payments.KindClosed, // expired: Close and Query report it as Expired

	"1202": payments.KindBadCode,
	"2005": payments.KindBadCode,
	"1212": payments.KindBadCode, // wrong kind of UnionPay code

	"1201": payments.KindInsufficient,

	"1204": payments.KindDeclined, // the customer's bank refused
	"1205": payments.KindDeclined,
	"1250": payments.KindDeclined, // forbidden by QFPay's risk control
	"1294": payments.KindDeclined, // prohibited by the bank

	"1260": payments.KindAlreadyPaid,

	"1272": payments.KindRefundBalance,
	"1125": payments.KindRefundBalance, // nothing left to refund
	"1262": payments.KindRefundBalance,

	"1155": payments.KindRefundRefused,
	"1265": payments.KindRefundRefused,
	"1269": payments.KindRefundRefused,
	"1270": payments.KindRefundRefused,
	"1271": payments.KindRefundRefused,

	"1150": payments.KindUnsupported, // T0 billing cannot cancel

	"1295": payments.KindBusy,
	"1296": payments.KindBusy,
	"1297": payments.KindBusy,
	"1298": payments.KindBusy,

	"1100": payments.KindSystem,
	"1101": payments.KindSystem, // reversal error: whether it reversed is not known
	"1147": payments.KindSystem, // WeChat's own error: whether it charged is not known
	"1252": payments.KindSystem,
	"1254": payments.KindSystem,
}

// Message is the text a person reads for a respcd; "" for a code not in
// QFPay's table.
func Message(code string) string { return statusMessages[code] }

// Codes lists every respcd of QFPay's table, sorted.
func Codes() []string {
	out := make([]string, 0, len(statusMessages))
	for c := range statusMessages {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// KindOf is the error kind of a respcd other than 0000; KindSystem for a
// code not in QFPay's table.
func KindOf(code string) payments.ErrorKind {
	if k, ok := codeKinds[code]; ok {
		return k
	}
	return payments.KindSystem
}

// isPending: the call is still being worked on; query, never resend.
func isPending(code string) bool { return code == CodePassword || code == CodeProcessing }

// outcomeUnknown reports whether an answer with this respcd (other than
// 0000, 1143 and 1145) leaves open what happened at QFPay: QFPay busy
// ("in case you have already paid, do not repeat the payment"), failing
// itself, or a code not in its table. The gateway wraps
// payments.ErrOutcomeUnknown around these, so the engine queries rather
// than calling the call refused.
func outcomeUnknown(code string) bool {
	k := KindOf(code)
	return k == payments.KindBusy || k == payments.KindSystem
}

// messageFor prefers QFPay's table; for a code not in it, the server's own
// words.
func messageFor(code string, words ...string) string {
	if m := Message(code); m != "" {
		return m
	}
	return ownWords(code, words...)
}

// ownWords is QFPay's own text of an answer or record (the first of words
// that are given, joined when they differ), else the table's text, else
// a sentence naming the code.
func ownWords(code string, words ...string) string {
	var said []string
	for _, w := range words {
		if w != "" && !slices.Contains(said, w) {
			said = append(said, w)
		}
	}
	if len(said) > 0 {
		return strings.Join(said, ": ")
	}
	if m := Message(code); m != "" {
		return m
	}
	return "QFPay code " + code + " (not in QFPay's table)"
}

// recordOutcome is what a record's respcd says of the transaction it
// records, as a sale and as a refund.
type recordOutcome struct {
	sale   payments.State
	refund payments.RefundState
}

// recordOutcomes is the one table of what a query record's (or a
// notification's) respcd means. A record's respcd is the transaction's own
// result: 0000 done, 1143/1145 still going, 1181 expired, 1142/1263/1264
// closed, and a refusal where nothing moved is failed. Every code not in
// this table (QFPay busy or failing: 1100, 1101, 1147, 1252, 1254,
// 1295-1298; codes that make no sense on a record: 1102, 1150, 1260, 2011;
// and any code not in QFPay's table) is Unknown: never failed, the order
// stays open and is queried again, and the code is logged once.
var recordOutcomes = map[string]recordOutcome{
	"0000": {payments.Paid, payments.RefundDone},
	"1143": {payments.Pending, payments.RefundPending},
	"1145": {payments.Pending, payments.RefundPending},
	"1181": {payments.Expired, payments.RefundUnknown},

	// Closed or cancelled: a sale that ended unpaid; a refund refused.
	"1142": {payments.Closed, payments.RefundFailed},
	"1263": {payments.Closed, payments.RefundFailed},
	"1264": {payments.Closed, payments.RefundFailed},

	// The customer's wallet or bank refused.
	"1201": {payments.Failed, payments.RefundFailed}, // insufficient balance
	"1202": {payments.Failed, payments.RefundFailed}, // incorrect or expired code
	"1204": {payments.Failed, payments.RefundFailed}, // bank error
	"1205": {payments.Failed, payments.RefundFailed}, // transaction failed
	"1212": {payments.Failed, payments.RefundFailed}, // not a UnionPay overseas code
	"1294": {payments.Failed, payments.RefundFailed}, // prohibited by the bank
	"2005": {payments.Failed, payments.RefundFailed}, // code incorrect or expired

	// QFPay refused the request before any money moved: the merchant's
	// account, store or device, risk control, the request itself.
	"1103": {payments.Failed, payments.RefundFailed},
	"1104": {payments.Failed, payments.RefundFailed},
	"1105": {payments.Failed, payments.RefundFailed},
	"1106": {payments.Failed, payments.RefundFailed},
	"1107": {payments.Failed, payments.RefundFailed},
	"1108": {payments.Failed, payments.RefundFailed},
	"1203": {payments.Failed, payments.RefundFailed},
	"1241": {payments.Failed, payments.RefundFailed},
	"1242": {payments.Failed, payments.RefundFailed},
	"1243": {payments.Failed, payments.RefundFailed},
	"1250": {payments.Failed, payments.RefundFailed},
	"1251": {payments.Failed, payments.RefundFailed},

	// Refusals of a refund: final for a refund record, meaningless for a sale.
	"1125": {payments.Unknown, payments.RefundFailed},
	"1136": {payments.Unknown, payments.RefundFailed},
	"1155": {payments.Unknown, payments.RefundFailed},
	"1261": {payments.Unknown, payments.RefundFailed},
	"1262": {payments.Unknown, payments.RefundFailed},
	"1265": {payments.Unknown, payments.RefundFailed},
	"1266": {payments.Unknown, payments.RefundFailed},
	"1267": {payments.Unknown, payments.RefundFailed},
	"1268": {payments.Unknown, payments.RefundFailed},
	"1269": {payments.Unknown, payments.RefundFailed},
	"1270": {payments.Unknown, payments.RefundFailed},
	"1271": {payments.Unknown, payments.RefundFailed},
	"1272": {payments.Unknown, payments.RefundFailed},
}

// outcomeOf is the table's row for respcd; Unknown for both otherwise.
func outcomeOf(respcd string) recordOutcome {
	if o, ok := recordOutcomes[respcd]; ok {
		return o
	}
	return recordOutcome{payments.Unknown, payments.RefundUnknown}
}
