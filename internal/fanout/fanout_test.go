package fanout

import "testing"

func TestFanout(t *testing.T) {
	var f Fanout[int]
	f.Publish(0) // nobody listens: nothing happens
	a, stopA := f.Subscribe(2)
	b, stopB := f.Subscribe(1)
	f.Publish(1)
	f.Publish(2) // b is full: it loses 2, a gets it
	if <-a != 1 || <-a != 2 || <-b != 1 {
		t.Fatal("values not handed on in order")
	}
	select {
	case v := <-b:
		t.Fatalf("b got %d past its room", v)
	default:
	}
	stopB()
	stopB()
	f.Publish(3)
	if <-a != 3 {
		t.Fatal("a lost 3")
	}
	select {
	case v := <-b:
		t.Fatalf("a stopped subscriber got %d", v)
	default:
	}
	stopA()
}
