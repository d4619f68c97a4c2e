package specconv

import (
	"testing"
)

// BenchmarkLoadAndValidate measures what `create` spends on config.json
// for the default spec: read, decode and validate.
func BenchmarkLoadAndValidate(b *testing.B) {
	bundle := newBundle(b)
	data := []byte(exampleJSON(b))
	if err := writeFile(bundle, data); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s, err := LoadSpec(bundle)
		if err != nil {
			b.Fatal(err)
		}
		if err := Validate(s, bundle, ValidateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
