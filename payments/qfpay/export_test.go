package qfpay

// MaxInWindow is exported to the external tests (package qfpay_test).
var MaxInWindow = maxInWindow
