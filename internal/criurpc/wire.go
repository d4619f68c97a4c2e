// Package criurpc speaks the protocol of `criu swrk`: protobuf (proto2)
// messages from criu's rpc.proto over a SOCK_SEQPACKET socket, one message
// per packet.
//
// Only the fields berth sends or reads are here, by their numbers in
// rpc.proto. It is hand-written on purpose: the generated Go package
// (go-criu's rpc, with google.golang.org/protobuf) registers its descriptors
// and hashes the running binary at package init, about 0.2 ms in every
// berth command, checkpoint or not; the wire format needed is a page.
package criurpc

import (
	"errors"
	"fmt"
)

// Wire types of the protobuf encoding.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// encoder appends fields to a message.
type encoder struct{ b []byte }

func (e *encoder) varint(v uint64) {
	for v >= 0x80 {
		e.b = append(e.b, byte(v)|0x80)
		v >>= 7
	}
	e.b = append(e.b, byte(v))
}

func (e *encoder) tag(field, wire int) { e.varint(uint64(field)<<3 | uint64(wire)) }

// int32 is how protobuf encodes int32 and enums: a negative value is sign
// extended to 64 bits (ten bytes).
func (e *encoder) int32(field int, v int32) {
	e.tag(field, wireVarint)
	e.varint(uint64(int64(v)))
}

func (e *encoder) uint32(field int, v uint32) {
	e.tag(field, wireVarint)
	e.varint(uint64(v))
}

// bool encodes only true: false is every optional bool's default.
func (e *encoder) bool(field int, v bool) {
	if v {
		e.tag(field, wireVarint)
		e.varint(1)
	}
}

func (e *encoder) bytes(field int, b []byte) {
	e.tag(field, wireBytes)
	e.varint(uint64(len(b)))
	e.b = append(e.b, b...)
}

// string encodes only a non-empty s: berth sets no field to "".
func (e *encoder) string(field int, s string) {
	if s != "" {
		e.bytes(field, []byte(s))
	}
}

// field is one field read from a message.
type field struct {
	num   int
	wire  int
	value uint64 // varint and fixed fields
	data  []byte // length-delimited fields
}

var errTruncated = errors.New("criu rpc: truncated message")

func readVarint(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errTruncated
}

// fields calls fn for each field of the message b, in order.
func fields(b []byte, fn func(f field) error) error {
	for len(b) > 0 {
		key, n, err := readVarint(b)
		if err != nil {
			return err
		}
		b = b[n:]
		f := field{num: int(key >> 3), wire: int(key & 7)}
		switch f.wire {
		case wireVarint:
			if f.value, n, err = readVarint(b); err != nil {
				return err
			}
		case wireFixed64:
			n = 8
		case wireFixed32:
			n = 4
		case wireBytes:
			l, m, err := readVarint(b)
			if err != nil {
				return err
			}
			if l > uint64(len(b)-m) {
				return errTruncated
			}
			f.data, n = b[m:m+int(l)], m+int(l)
		default:
			return fmt.Errorf("criu rpc: field %d has wire type %d", f.num, f.wire)
		}
		if n > len(b) {
			return errTruncated
		}
		b = b[n:]
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}
