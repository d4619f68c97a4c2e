package nsenter

//go:generate go run gen_gotext.go

/*
#include "gotext.h"
*/
import "C"

// cErrnoText and cSignalText are the C stage's wording (gotext_table.c),
// for the test that keeps it Go's.
func cErrnoText(e int) string {
	if s := C.go_errno_string(C.int(e)); s != nil {
		return C.GoString(s)
	}
	return ""
}

func cSignalText(s int) string {
	if p := C.go_signal_string(C.int(s)); p != nil {
		return C.GoString(p)
	}
	return ""
}
