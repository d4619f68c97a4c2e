// Package jsoniface stands in for easyjson's root package in the files
// easyjson generates (see go:generate in internal/specjson and
// libcontainer). That package imports net/http for a helper berth never
// calls, and with it crypto/tls and ~40 more packages: 1.5 MB of binary and
// their package init in every berth process. The generated code needs only
// these two interfaces from it.
package jsoniface

import (
	"github.com/mailru/easyjson/jlexer"
	"github.com/mailru/easyjson/jwriter"
)

// Marshaler is easyjson.Marshaler.
type Marshaler interface {
	MarshalEasyJSON(w *jwriter.Writer)
}

// Unmarshaler is easyjson.Unmarshaler.
type Unmarshaler interface {
	UnmarshalEasyJSON(l *jlexer.Lexer)
}
