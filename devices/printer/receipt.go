package printer

// Receipt is what the engine hands the printer: plain, preformatted values,
// nothing of payments. Empty fields are left out of the printout.
type Receipt struct {
	Title string `json:"title"` // "SALE", "REFUND", "REPRINT", "X REPORT", ...
	// Notes are short lines printed bold and centred under the title, e.g.
	// "COPY" and when a copy was reprinted.
	Notes   []string `json:"notes,omitempty"`
	Store   string   `json:"store"`             // shop name
	Address []string `json:"address,omitempty"` // shop address lines
	TID     string   `json:"tid,omitempty"`     // terminal id
	Date    string   `json:"date,omitempty"`    // e.g. "2026-11-23"
	Time    string   `json:"time,omitempty"`    // e.g. "17:05:09"
	OrderNo string   `json:"order_no,omitempty"`
	Method  string   `json:"method,omitempty"` // e.g. "WeChat Pay HK"
	Amount  string   `json:"amount,omitempty"` // preformatted, e.g. "HKD 12.30"
	Refs    []Field  `json:"refs,omitempty"`   // provider references
	Status  string   `json:"status,omitempty"` // e.g. "PAID", "REFUNDED"
	Refunds []Field  `json:"refunds,omitempty"`
	Lines   []Field  `json:"lines,omitempty"` // report lines; a label with no value prints alone
	Footer  []string `json:"footer,omitempty"`
	QR      string   `json:"qr,omitempty"` // QR content, e.g. the order number

	// OpenDrawer pulses the cash drawer after the receipt.
	OpenDrawer bool `json:"open_drawer,omitempty"`
	// Labels replace the English field labels (e.g. bilingual ones).
	Labels *Labels `json:"labels,omitempty"`
}

// Field is one label: value line. In Refs and Refunds a field with no
// value is left out; in Refunds and Lines a Heading field starts a block:
// its label prints alone and bold (with its value, if any, on the right).
// In Lines a field with no value prints as a heading too, so the report
// payloads of older versions, queued in a journal, keep their method names.
type Field struct {
	Label   string `json:"label"`
	Value   string `json:"value"`
	Heading bool   `json:"heading,omitempty"`
}

// Labels are the captions of the fixed fields.
type Labels struct {
	TID    string `json:"tid,omitempty"`
	Date   string `json:"date,omitempty"`
	Order  string `json:"order,omitempty"`
	Method string `json:"method,omitempty"`
	Amount string `json:"amount,omitempty"`
	Status string `json:"status,omitempty"`
}

// DefaultLabels are the English captions.
var DefaultLabels = Labels{TID: "TID", Date: "Date", Order: "Order", Method: "Method", Amount: "TOTAL", Status: "Status"}

func (r Receipt) labels() Labels {
	l := DefaultLabels
	if r.Labels == nil {
		return l
	}
	pick := func(dst *string, s string) {
		if s != "" {
			*dst = s
		}
	}
	pick(&l.TID, r.Labels.TID)
	pick(&l.Date, r.Labels.Date)
	pick(&l.Order, r.Labels.Order)
	pick(&l.Method, r.Labels.Method)
	pick(&l.Amount, r.Labels.Amount)
	pick(&l.Status, r.Labels.Status)
	return l
}
