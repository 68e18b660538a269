package eftpay

import "testing"

// A pre-order request as the terminal signs it (12 fields).
func benchFields() map[string]string {
	return map[string]string{
		"service": "service.alipay.qrcode.PreOrder", "user_confirm_key": "S0000001", "transaction_amount": "12.30",
		"out_trade_no": "T001240501000001", "paytype": "Alipay", "buyertype": "others", "subject": "Noodles",
		"payment_type": "ALIPAYHK", "tid": "T001", "notify_url": "https://pos.example.com/eftpay/notify",
		"time": "20240501100000",
	}
}

func BenchmarkSign(b *testing.B) {
	f := benchFields()
	b.ReportAllocs()
	for b.Loop() {
		Sign("testsignkey1234", f)
	}
}

func BenchmarkVerify(b *testing.B) {
	f := benchFields()
	f["sign"] = Sign("testsignkey1234", f)
	b.ReportAllocs()
	for b.Loop() {
		if !Verify("testsignkey1234", f) {
			b.Fatal("does not verify")
		}
	}
}
