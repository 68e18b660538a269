package printer

// SampleReceipt is a typical sale receipt with Chinese text in the script
// that goes with enc (Traditional for Big5, Simplified for GB18030) and a
// QR code of the order number: the page pos print-test prints and the
// benchmarks measure.
func SampleReceipt(enc Encoding) Receipt {
	r := Receipt{
		Title:   "SALE 銷售",
		Store:   "好味茶餐廳 Ho Mei Cafe",
		Address: []string{"香港九龍旺角彌敦道 688 號地下", "Tel 2345 6789"},
		TID:     "DEMO01",
		Date:    "2026-11-23",
		Time:    "17:05:09",
		OrderNo: "T20261123170509001",
		Method:  "WeChat Pay HK 微信支付香港",
		Amount:  "HKD 128.50",
		Refs: []Field{
			{Label: "Provider ref 交易號", Value: "4200002026112317050912345678"},
			{Label: "Wallet ref", Value: "**************7409"},
		},
		Status: "PAID 已付款",
		Footer: []string{"多謝惠顧，歡迎再來！", "Thank you, please come again"},
		QR:     "T20261123170509001",
		Labels: &Labels{TID: "終端 TID", Date: "日期 Date", Order: "單號 Order", Method: "付款 Method", Amount: "總額", Status: "狀態 Status"},
	}
	if enc == GB18030 {
		r.Title = "SALE 销售"
		r.Store = "好味茶餐厅 Ho Mei Cafe"
		r.Address = []string{"香港九龙旺角弥敦道 688 号地下", "Tel 2345 6789"}
		r.Method = "WeChat Pay HK 微信支付香港"
		r.Refs[0].Label = "Provider ref 交易号"
		r.Status = "PAID 已付款"
		r.Footer = []string{"多谢惠顾，欢迎再来！", "Thank you, please come again"}
		r.Labels = &Labels{TID: "终端 TID", Date: "日期 Date", Order: "单号 Order", Method: "付款 Method", Amount: "总额", Status: "状态 Status"}
	}
	return r
}
